"""Governance of a deployed Communis system: build actions, propose, vote, queue, execute, status.

A thin ``ape run govern`` CLI sits on top; this package is usable on its own from any ape script::

    from communis.chain.governance.governor import Governance

    gov = Governance.connect()  # addresses from deployments/<chainId>.json
    action = gov.set_parameter("GuardianRegistry", "setApplicationThreshold", ["12e18"])
    proposal_id = gov.propose([action], "Raise the guardian bar", sender=account)
    action, changes = gov.set_policy({"curator-weight": "6"})   # from the policy in force
    print(gov.status(gov.resolve("Raise the guardian bar")).render())

A proposal is referred to by its full id (decimal or 0x hex), by its short id (the first hex
digits of the id, as ``status`` shows them: ``a1b2c3d4``) or by its description. A contract is
referred to by its journal name (``GuardianRegistry``) wherever an address is expected.

Before a proposal is sent, the settings it would leave are checked with the deployment's own
rules (:func:`.settings.check_settings`): a reward policy or quorum under which one account alone
could reach quorum is refused, and so is a dispute period shorter than the governance path (a
policy's ``disputePeriod``, or longer voting, extension or timelock delays), in which no verdict
on a dispute could arrive. A vote without weight at the snapshot is refused too (it would count
nothing).

Numbers of influence are shown in whole influence (18 decimals); votes and quorum are read at the
proposal's snapshot, so they are already decayed to that timepoint and comparable with each other.

The modules, one job each:

- ``governor``: :class:`~.governor.Governance`, the operations on one governor (connect, build
  actions, propose, vote, queue, execute, cancel, status, find a proposal);
- ``proposals``: the records (an action, a proposal, its listing and status) and proposal ids;
- ``arguments``: command-line text as Solidity values (integers, bools, addresses, bytes);
- ``policy_changes``: the reward policy's fields as command-line options, and a changed policy;
- ``settings``: the governance settings in force and the checks a proposal's settings must pass;
- ``names``: the journal names of the governance contracts; ``errors``: ``GovernanceError``.
"""
