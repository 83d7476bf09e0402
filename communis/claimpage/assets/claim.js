// The claim page: reads the member's leaf from claims.js, the chain through the wallet
// (EIP-1193, window.ethereum), and claims with one transaction.
"use strict";
(function () {
  const data = window.COMMUNIS_CLAIMS;
  const $ = (id) => document.getElementById(id);
  const units = (value) => ethers.formatUnits(value, 18);
  const STATUS = ["none", "proposed", "challenged", "rejected", "finalized"];
  let state = null;

  function say(text, kind) {
    const status = $("status");
    status.textContent = text;
    status.className = kind || "";
  }

  $("epoch-number").textContent = String(data.epoch);
  $("root").textContent = data.root;
  $("network").textContent = `chain ${data.chainId}, rewards at ${data.contracts.ContributionRewards.address}`;

  function contract(name, runner) {
    const c = data.contracts[name];
    return new ethers.Contract(c.address, c.abi, runner);
  }

  async function refresh() {
    const { provider, account } = state;
    const rewards = contract("ContributionRewards", provider);
    const [current, epochRoot, status, paid, balance, votes] = await Promise.all([
      rewards.currentRoot(),
      rewards.rootOf(data.epoch),
      rewards.epochStatus(data.epoch),
      rewards.claimed(account),
      contract("CommunityToken", provider).balanceOf(account),
      contract("Influence", provider).getVotes(account),
    ]);
    const finalized = epochRoot.toLowerCase() === data.root.toLowerCase();
    const claimable = current.toLowerCase() === data.root.toLowerCase();
    $("finalized").textContent = finalized
      ? claimable ? "finalized; claims use this root" : "finalized; a newer root is in force: use its page"
      : `not finalized (${STATUS[Number(status)] || status})`;
    $("finalized").className = finalized ? "ok" : "bad";
    $("account").textContent = account;
    $("balance").textContent = units(balance);
    $("votes").textContent = units(votes);
    const leaf = data.members[account];
    if (!leaf) {
      $("unclaimed-tokens").textContent = "0 (not in this epoch's tree)";
      $("claim").disabled = true;
      return;
    }
    const owedTokens = BigInt(leaf.tokens) > paid[0] ? BigInt(leaf.tokens) - paid[0] : 0n;
    const owedInfluence = BigInt(leaf.influence) > paid[1] ? BigInt(leaf.influence) - paid[1] : 0n;
    $("unclaimed-tokens").textContent = units(owedTokens);
    $("claim").disabled = !claimable || (owedTokens === 0n && owedInfluence === 0n);
    if (owedTokens === 0n && owedInfluence === 0n) say("Nothing left to claim under this root.", "ok");
  }

  async function connect() {
    if (!window.ethereum) {
      say("No wallet found: install one (EIP-1193, e.g. MetaMask) and reload.", "bad");
      return;
    }
    const provider = new ethers.BrowserProvider(window.ethereum);
    const accounts = await provider.send("eth_requestAccounts", []);
    const network = await provider.getNetwork();
    if (Number(network.chainId) !== data.chainId) {
      say(`The wallet is on chain ${network.chainId}; switch it to chain ${data.chainId}.`, "bad");
      return;
    }
    state = { provider, account: ethers.getAddress(accounts[0]) };
    await refresh();
  }

  async function claim() {
    const leaf = data.members[state.account];
    $("claim").disabled = true;
    say("Confirm the claim in your wallet…");
    const signer = await state.provider.getSigner(state.account);
    const tx = await contract("ContributionRewards", signer).claim(
      state.account, leaf.tokens, leaf.influence, leaf.proof, data.root,
    );
    say(`Claim sent: ${tx.hash}; waiting for it to be mined…`);
    const receipt = await tx.wait();
    await refresh();
    say(`Claimed in block ${receipt.blockNumber} (transaction ${tx.hash}).`, "ok");
  }

  function guard(action) {
    return () => action().catch((err) => {
      say(err.shortMessage || err.message || String(err), "bad");
      if (state) refresh().catch(() => {});
    });
  }

  $("connect").addEventListener("click", guard(connect));
  $("claim").addEventListener("click", guard(claim));
})();
