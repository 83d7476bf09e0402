// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title PackedCheckpoints
 * @notice Value checkpoints of many accounts in one {Trace}, packed so that an account's latest
 * checkpoint and 16 bits of metadata share one storage word, its *head*: a lookup at or after the
 * latest change, and a push that replaces a checkpoint of the same key, touch that one slot.
 * Influence keeps its delegates' votes here (see docs/influence-decay.md, "Storage").
 *
 * A checkpoint word holds the value in bits 48..255 (208 bits) and the key in bits 16..47 (32
 * bits; zero means "no checkpoint"). A head also holds metadata in bits 0..15: the number of
 * older checkpoints in bits 0..14 (the value {_COUNT_SPILL} means that the number is kept in its
 * own slot) and {FLAG}, a bit the library keeps but never reads, for the user's own use.
 *
 * Keys must be non-zero, at most {MAX_KEY}, and never decrease for an account between pushes;
 * the user derives them (Influence: seconds since deployment) and checks the bound. Values must
 * fit 208 bits; the user checks that too.
 *
 * Invariants, for every account:
 * - P1 its older checkpoints are at indices `0 .. count - 1` of `_older`, oldest first, keys
 *   strictly increasing and all below the head's key; they hold no metadata.
 * - P2 the count is the head's bits 0..14, or `_olderCount` once those read {_COUNT_SPILL}
 *   (a count of 32,767 or more).
 * - P3 {push} and {setFlag} keep the other metadata bits as they are.
 */
library PackedCheckpoints {
    /// @notice The checkpoints of every account.
    struct Trace {
        /// @dev Each account's head: its latest checkpoint and metadata.
        mapping(address account => uint256) _heads;
        /// @dev Each account's earlier checkpoints, oldest first (value and key, no metadata).
        mapping(address account => mapping(uint256 index => uint256)) _older;
        /// @dev The number of an account's earlier checkpoints once it no longer fits its head.
        mapping(address account => uint256) _olderCount;
    }

    /// @notice The largest key (32 bits).
    uint256 internal constant MAX_KEY = 0xffffffff;

    /// @notice The metadata bit of a head left to the user: {setFlag} sets it, `head & FLAG` tests it.
    uint256 internal constant FLAG = 1 << 15;

    uint256 private constant _META_MASK = 0xffff;
    // The number of older checkpoints in a head's metadata; this value means "see `_olderCount`".
    uint256 private constant _COUNT_SPILL = (1 << 15) - 1;

    /// @notice The head of `account`: pass it to {valueOf}, {keyOf}, {push} and {setFlag}.
    function headOf(Trace storage self, address account) internal view returns (uint256) {
        return self._heads[account];
    }

    /// @notice The latest value of `account` (zero if it has no checkpoint).
    function latest(Trace storage self, address account) internal view returns (uint256) {
        return self._heads[account] >> 48;
    }

    /// @notice The value of checkpoint word `word` (a head or an older checkpoint).
    function valueOf(uint256 word) internal pure returns (uint256) {
        return word >> 48;
    }

    /// @notice The key of checkpoint word `word`; zero for the head of an account without checkpoints.
    function keyOf(uint256 word) internal pure returns (uint256) {
        return (word >> 16) & MAX_KEY;
    }

    /// @notice Sets {FLAG} in the head of `account`, which is `head` (P3). Returns the new head.
    function setFlag(Trace storage self, address account, uint256 head) internal returns (uint256) {
        head |= FLAG;
        self._heads[account] = head;
        return head;
    }

    /**
     * @notice Writes `value` as the checkpoint of `account` at `key`, given its current head
     * `head`: replaces the head if its key is `key`, otherwise moves the head to the older
     * checkpoints first (P1, P2). Keeps the metadata (P3).
     * @dev `key` is non-zero, at most {MAX_KEY} and at least the head's key; `value` fits 208 bits.
     * Neither is checked here.
     */
    // slither-disable-next-line incorrect-equality (equalities test the count bits of the metadata, not balances)
    function push(Trace storage self, address account, uint256 head, uint256 key, uint256 value) internal {
        uint256 headKey = (head >> 16) & MAX_KEY;
        uint256 meta = head & _META_MASK;
        if (headKey != key && headKey != 0) {
            uint256 n = meta & _COUNT_SPILL;
            if (n == _COUNT_SPILL) {
                n = self._olderCount[account];
                self._olderCount[account] = n + 1;
            } else if (n + 1 == _COUNT_SPILL) {
                self._olderCount[account] = n + 1;
                meta |= _COUNT_SPILL;
            } else {
                ++meta;
            }
            self._older[account][n] = head & ~_META_MASK;
        }
        self._heads[account] = (value << 48) | (key << 16) | meta;
    }

    /**
     * @notice The value of the last checkpoint of `account` with a key at most `key`, or zero if
     * there is none: the head if its key is at most `key`, otherwise a search of the older
     * checkpoints, recent ones first (as `Checkpoints.upperLookupRecent`).
     */
    // slither-disable-next-line incorrect-equality (equalities test the count bits and the "no checkpoint" key, not balances)
    function upperLookupRecent(Trace storage self, address account, uint256 key) internal view returns (uint256) {
        uint256 head = self._heads[account];
        uint256 headKey = (head >> 16) & MAX_KEY;
        if (headKey == 0) return 0;
        if (headKey <= key) return head >> 48;
        uint256 n = head & _COUNT_SPILL;
        if (n == _COUNT_SPILL) n = self._olderCount[account];
        mapping(uint256 => uint256) storage older = self._older[account];
        uint256 low = 0;
        uint256 high = n;
        if (n > 5) {
            uint256 mid = n - Math.sqrt(n);
            if (key < ((older[mid] >> 16) & MAX_KEY)) high = mid;
            else low = mid + 1;
        }
        while (low < high) {
            uint256 mid = Math.average(low, high);
            if (((older[mid] >> 16) & MAX_KEY) > key) high = mid;
            else low = mid + 1;
        }
        return high == 0 ? 0 : older[high - 1] >> 48;
    }
}
