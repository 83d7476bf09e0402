"""Run a deployment plan against the connected chain, journaling every step so that a killed
run resumes without sending anything twice.

Per step:
1. ``pending``: the transaction is prepared (gas, fees, nonce), funds are checked, it is signed,
   and the signed raw transaction, hash and nonce are journaled as ``sent`` *before* broadcast.
2. ``sent``: broadcast (again, if the node does not know it) and wait for the receipt; the
   address, block and gas are journaled as ``done``. Re-broadcasting the same signed bytes is
   safe: one nonce can be mined only once.
3. ``done``: skipped after checking there is code at the recorded address.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communis.chain.accounts import is_local
from communis.deploy.artifacts import write_artifacts
from communis.deploy.journal import Journal, JournalError, Step
from communis.deploy.postconditions import check_postconditions
from communis.deploy.steps import DEPLOYER, Ref, StepSpec
from communis.deploy.verification import StandardInput, deployable_container
from communis.engine.jsonsafe import json_safe
from communis.errors import CommunisError


class DeployError(CommunisError, RuntimeError):
    """A step cannot be carried out; the journal says how far the deployment got."""


@dataclass(frozen=True)
class StepResult:
    step: Step
    action: str  # "deployed", "called", "skipped", "settled"


Reporter = Callable[[StepResult], None]


def _hex(value: bytes | str) -> str:
    return value if isinstance(value, str) else "0x" + value.hex()


class Deployer:
    """Carries out a plan with one account on the connected network."""

    def __init__(
        self,
        project: Any,
        account: Any,
        journal: Journal,
        *,
        receipt_timeout: float = 300.0,
        on_step: Reporter | None = None,
    ) -> None:
        import ape

        self.project = project
        self.account = account
        self.journal = journal
        self.provider = ape.chain.provider
        self.web3 = self.provider.web3
        self.receipt_timeout = receipt_timeout
        self.on_step = on_step or (lambda _result: None)
        self._deployables: dict[str, tuple[Any, StandardInput]] = {}

    # -- plan --------------------------------------------------------------------------------

    def run(self, plan: list[StepSpec], *, config_sha256: str | None = None) -> Journal:
        """Carry out ``plan``, resuming the journal. Nothing in the journal is trusted: every
        journaled step must be the plan's step with the plan's arguments, and every transaction
        it records must be the one the deploying account signed for it (see :meth:`_advance`).
        ``config_sha256``: the hash of the config the plan came from, recorded in the journal;
        a journal written under another config is refused."""
        self._check_config(config_sha256)
        self._check_journal_matches(plan)
        executed = False
        for spec in plan:
            fresh = Step(
                name=spec.name,
                kind=spec.kind,
                contract=spec.contract,
                args=_as_json([self._resolve(a) for a in spec.args]),
                function=spec.function,
                target=spec.target,
            )
            step = self.journal.step(spec.name)
            if step is None:
                step = fresh
                # Saved only once signed: a step that fails before that leaves no trace.
                self.journal.steps.append(step)
            else:
                self._check_same_step(step, fresh)
            action = self._advance(step)
            executed = executed or action != "skipped"
            self.on_step(StepResult(step, action))
        if executed:
            problems = check_postconditions(self.project, self.journal, plan, self.account.address)
            if problems:
                raise DeployError(
                    f"{self.journal.path}: the plan ran, but the chain does not hold what it "
                    "sets up: " + "; ".join(problems)
                )
        write_artifacts(self.project, self.journal, self._receipt)
        return self.journal

    def _deployable(self, contract: str) -> tuple[Any, StandardInput]:
        """The container a deploy step sends: compiled from the contract's standard-json input
        (usual source names), so that the deployed code verifies as a perfect match."""
        if contract not in self._deployables:
            container, item, _ = deployable_container(self.project, contract)
            self._deployables[contract] = (container, item)
        return self._deployables[contract]

    def _check_config(self, config_sha256: str | None) -> None:
        if config_sha256 is None:
            return
        recorded = self.journal.config.get("sha256")
        if self.journal.steps and recorded != config_sha256:
            raise JournalError(
                f"{self.journal.path}: was written under the config with sha256 {recorded}, "
                f"not this one ({config_sha256}); resume with that config, or deploy this one "
                "with another journal folder"
            )
        self.journal.config["sha256"] = config_sha256

    def _check_journal_matches(self, plan: list[StepSpec]) -> None:
        names = [s.name for s in plan]
        unknown = [s.name for s in self.journal.steps if s.name not in names]
        if unknown:
            raise DeployError(
                f"{self.journal.path}: has steps that are not in the plan: {', '.join(unknown)}"
            )
        journaled = [s.name for s in self.journal.steps]
        if journaled != names[: len(journaled)]:
            raise JournalError(
                f"{self.journal.path}: its steps are not the first {len(journaled)} steps of the "
                "plan in order"
            )
        done = [s for s in self.journal.steps if s.status == "done" and s.kind == "deploy"]
        stale = [s for s in done if not self._has_code(s.address)]
        if stale and is_local(self.journal.chain_id):
            # A restarted local node forgets everything: start over instead of failing.
            stale_path = self.journal.path.with_suffix(".stale.json")
            self.journal.path.replace(stale_path)
            self.journal.steps.clear()
            return
        if stale:
            raise JournalError(
                f"{self.journal.path}: step {stale[0].name!r} is recorded at {stale[0].address} "
                f"but chain {self.journal.chain_id} has no code there. Wrong network or RPC?"
            )

    def _check_same_step(self, step: Step, fresh: Step) -> None:
        """A journaled step must be exactly the plan's (its arguments resolved afresh)."""
        for name in ("kind", "contract", "function", "target", "args"):
            have, want = getattr(step, name), getattr(fresh, name)
            if have != want:
                raise JournalError(
                    f"{self.journal.path}: step {step.name!r} has {name} {have!r}, but the plan "
                    f"says {want!r}; the journal was edited or the plan changed"
                )
        if step.status != "pending" and step.sender != self.account.address:
            raise JournalError(
                f"{self.journal.path}: step {step.name!r} was sent by {step.sender}, not by the "
                f"deploying account {self.account.address}"
            )

    def _resolve(self, arg: Any) -> Any:
        if arg is DEPLOYER:
            return self.account.address
        if isinstance(arg, Ref):
            return self.journal.address_of(arg.step)
        if isinstance(arg, list | tuple):
            return [self._resolve(a) for a in arg]
        return arg

    # -- one step ----------------------------------------------------------------------------

    def _advance(self, step: Step) -> str:
        """``done``: its mined transaction is re-checked; ``sent``: its signed bytes are checked
        before being (re)broadcast; ``pending``: signed now."""
        if step.status == "done":
            self._check_mined(step, self._receipt_of_done(step))
            return "skipped"
        if step.status == "pending":
            self._sign(step)
            action = "deployed" if step.kind == "deploy" else "called"
        else:
            self._check_signed(step)
            action = "settled"
        self._settle(step)
        return action

    def _expected(self, step: Step) -> tuple[str | None, bytes]:
        """The receiver (None: a deployment) and calldata of ``step``'s transaction."""
        if step.kind == "deploy":
            txn = self._deployable(step.contract)[0].constructor.serialize_transaction(*step.args)
            return None, bytes(txn.data)
        container = self.project.get_contract(step.contract)
        if step.target is None or step.function is None:
            raise DeployError(f"step {step.name!r}: a call needs a target and a function")
        target = self.journal.address_of(step.target)
        method = getattr(container.at(target), step.function)
        return target, bytes(method.encode_input(*step.args))

    def _refuse(self, step: Step, problem: str) -> JournalError:
        return JournalError(
            f"{self.journal.path}: step {step.name!r}: {problem}; the journal does not describe "
            "what the deploying account signed for this plan (edited?): restore it from git or "
            "inspect the account's history"
        )

    def _check_tx(self, step: Step, sender: str, nonce: int, to: str | None, data: bytes) -> None:
        want_to, want_data = self._expected(step)
        if (
            sender.lower() != self.account.address.lower()
            or sender.lower() != str(step.sender).lower()
        ):
            raise self._refuse(step, f"its transaction is from {sender}")
        if nonce != step.nonce:
            raise self._refuse(step, f"its transaction has nonce {nonce}, not {step.nonce}")
        if (to or "").lower() != (want_to or "").lower() or data != want_data:
            raise self._refuse(step, "its transaction is not the plan's call")

    def _check_signed(self, step: Step) -> None:
        """A ``sent`` step: the raw transaction hashes to ``tx_hash`` and is the plan's call,
        signed by the deploying account with the journaled nonce."""
        from eth_account import Account
        from eth_utils import keccak

        if step.raw_tx is None or step.tx_hash is None:
            raise self._refuse(step, "it is 'sent' without a signed transaction")
        raw = bytes.fromhex(step.raw_tx.removeprefix("0x"))
        if "0x" + keccak(raw).hex() != step.tx_hash.lower():
            raise self._refuse(step, f"tx_hash {step.tx_hash} is not the hash of its raw_tx")
        try:
            sender = Account.recover_transaction(raw)
            nonce, to, data = _decode_raw(raw)
        except Exception as err:  # malformed bytes come in several eth-account/rlp types
            raise self._refuse(step, f"its raw_tx cannot be decoded ({err})") from None
        self._check_tx(step, sender, nonce, to, data)

    def _receipt_of_done(self, step: Step) -> Any:
        receipt = self._receipt(step.tx_hash) if step.tx_hash else None
        if receipt is None:
            raise self._refuse(step, f"it is 'done' but transaction {step.tx_hash} is not mined")
        return receipt

    def _check_mined(self, step: Step, receipt: Any) -> None:
        """A mined step: the plan's call, from the deploying account at the journaled nonce,
        successful, and for a deployment at the CREATE address of that sender and nonce."""
        tx = self.web3.eth.get_transaction(step.tx_hash)
        data = bytes(tx["input"])
        self._check_tx(step, str(tx["from"]), int(tx["nonce"]), tx.get("to"), data)
        if receipt["status"] != 1:
            raise self._refuse(step, f"transaction {step.tx_hash} reverted")
        if step.kind == "deploy":
            created = create_address(str(tx["from"]), int(tx["nonce"]))
            mined = receipt["contractAddress"]
            if str(mined).lower() != created.lower() or (
                step.address is not None and step.address.lower() != created.lower()
            ):
                raise self._refuse(step, f"it records {step.address}, not {created}")
            if not self._has_code(created):
                raise JournalError(f"{self.journal.path}: no code at {created} ({step.name})")

    def _build_transaction(self, step: Step) -> Any:
        if step.kind == "deploy":
            container = self._deployable(step.contract)[0]
            return container.constructor.serialize_transaction(*step.args, sender=self.account)
        if step.target is None or step.function is None:
            raise DeployError(f"step {step.name!r}: a call needs a target and a function")
        container = self.project.get_contract(step.contract)
        instance = container.at(self.journal.address_of(step.target))
        method = getattr(instance, step.function)
        return method.as_transaction(*step.args, sender=self.account)

    def _sign(self, step: Step) -> None:
        balance = self.provider.get_balance(self.account.address)
        try:
            txn = self.account.prepare_transaction(self._build_transaction(step))
        except Exception as err:  # estimation failures come in several ape/web3 types
            # Nodes cap gas estimation by what the balance can pay: geth and anvil say
            # "insufficient funds" or "gas required exceeds allowance".
            if any(m in str(err).lower() for m in ("insufficient funds", "exceeds allowance")):
                raise self._underfunded(step, balance, None) from None
            raise DeployError(
                f"step {step.name!r}: cannot prepare the transaction (nothing was sent): {err}"
            ) from err
        cost = txn.gas_limit * (txn.max_fee or txn.gas_price or 0) + (txn.value or 0)
        if balance < cost:
            raise self._underfunded(step, balance, cost)
        signed = self.account.sign_transaction(txn)
        if signed is None:
            raise DeployError(f"step {step.name!r}: the transaction was not signed")
        if step.kind == "deploy":
            verification = self._deployable(step.contract)[1]
            step.compiler = verification.compiler
            step.input_hash = verification.input_hash
        step.sender = self.account.address
        step.nonce = txn.nonce
        step.tx_hash = _hex(signed.txn_hash)
        step.raw_tx = _hex(signed.serialize_transaction())
        step.status = "sent"
        self.journal.save()

    def _underfunded(self, step: Step, balance: int, cost: int | None) -> DeployError:
        need = f"up to {cost} wei" if cost is not None else "more than that for gas"
        return DeployError(
            f"step {step.name!r}: {self.account.address} holds {balance} wei but the transaction "
            f"may cost {need}; fund it and rerun (nothing was sent)"
        )

    def _settle(self, step: Step) -> None:
        assert step.tx_hash is not None and step.raw_tx is not None
        receipt = self._receipt(step.tx_hash)
        if receipt is None and not self._known(step.tx_hash):
            if self.provider.get_nonce(step.sender) > (step.nonce or 0):
                raise DeployError(
                    f"step {step.name!r}: nonce {step.nonce} of {step.sender} was used by another "
                    f"transaction than the journaled {step.tx_hash}; inspect the account's history "
                    f"and edit {self.journal.path} before rerunning"
                )
            self.web3.eth.send_raw_transaction(step.raw_tx)
        receipt = receipt or self._wait(step.tx_hash)
        if receipt["status"] != 1:
            raise DeployError(f"step {step.name!r}: transaction {step.tx_hash} reverted")
        self._check_mined(step, receipt)
        if step.kind == "deploy":
            step.address = receipt["contractAddress"]
        step.block = receipt["blockNumber"]
        step.gas_used = receipt["gasUsed"]
        step.raw_tx = None  # mined: the signed bytes are no longer needed
        step.status = "done"
        self.journal.save()

    def _receipt(self, tx_hash: str) -> Any | None:
        from web3.exceptions import TransactionNotFound

        try:
            return self.web3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return None

    def _known(self, tx_hash: str) -> bool:
        from web3.exceptions import TransactionNotFound

        try:
            self.web3.eth.get_transaction(tx_hash)
        except TransactionNotFound:
            return False
        return True

    def _wait(self, tx_hash: str) -> Any:
        deadline = time.monotonic() + self.receipt_timeout
        while (receipt := self._receipt(tx_hash)) is None:
            if time.monotonic() > deadline:
                raise DeployError(
                    f"no receipt for {tx_hash} after {self.receipt_timeout:.0f} s; it stays "
                    "journaled as sent: rerun to keep waiting (it will not be sent twice)"
                )
            time.sleep(0.2)
        return receipt

    def _has_code(self, address: str | None) -> bool:
        return bool(address) and len(self.provider.get_code(address)) > 0


def plan_time(journal: Journal, head_timestamp: int) -> int:
    """The chain time a plan is resolved with (a "now" genesis): recorded in the journal by the
    first run, so that a resumed run resolves the very same steps."""
    recorded = journal.config.get("now")
    if journal.steps and recorded is not None:
        if not isinstance(recorded, int) or isinstance(recorded, bool) or recorded > head_timestamp:
            raise JournalError(
                f"{journal.path}: field 'config.now' is {recorded!r}, not a past chain time"
            )
        return recorded
    journal.config["now"] = head_timestamp
    return head_timestamp


def create_address(sender: str, nonce: int) -> str:
    """The address a CREATE from ``sender`` at ``nonce`` deploys to."""
    import rlp
    from eth_utils import keccak, to_bytes, to_checksum_address

    return to_checksum_address(keccak(rlp.encode([to_bytes(hexstr=sender), nonce]))[12:])


def _decode_raw(raw: bytes) -> tuple[int, str | None, bytes]:
    """``(nonce, to, data)`` of a signed raw transaction (typed or legacy)."""
    from hexbytes import HexBytes

    if raw and raw[0] < 0x80:
        from eth_account.typed_transactions import TypedTransaction

        fields = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()
        to = bytes(fields["to"] or b"")
        return int(fields["nonce"]), ("0x" + to.hex()) if to else None, bytes(fields["data"])
    from eth_account._utils.legacy_transactions import Transaction

    legacy = Transaction.from_bytes(raw)
    to = bytes(legacy.to or b"")
    return int(legacy.nonce), ("0x" + to.hex()) if to else None, bytes(legacy.data)


def _as_json(value: Any) -> Any:
    """``value`` as the journal stores it: tuples become lists, integers above 2^53 decimal
    strings (ape converts them back by the ABI type when it encodes a call)."""
    return json_safe(json.loads(json.dumps(value)))


def default_journal_dir(project: Any) -> Path:
    return Path(project.path) / "deployments"
