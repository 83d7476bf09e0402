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

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communis.chain.accounts import is_local
from communis.deploy.compiler import verification_input
from communis.deploy.journal import Journal, JournalError, Step
from communis.deploy.steps import DEPLOYER, Ref, StepSpec
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

    # -- plan --------------------------------------------------------------------------------

    def run(self, plan: list[StepSpec]) -> Journal:
        self._check_journal_matches(plan)
        for spec in plan:
            step = self.journal.step(spec.name)
            if step is None:
                step = Step(
                    name=spec.name,
                    kind=spec.kind,
                    contract=spec.contract,
                    args=[self._resolve(a) for a in spec.args],
                    function=spec.function,
                    target=spec.target,
                )
                # Saved only once signed: a step that fails before that leaves no trace.
                self.journal.steps.append(step)
            self.on_step(StepResult(step, self._advance(step)))
        return self.journal

    def _check_journal_matches(self, plan: list[StepSpec]) -> None:
        names = [s.name for s in plan]
        unknown = [s.name for s in self.journal.steps if s.name not in names]
        if unknown:
            raise DeployError(
                f"{self.journal.path}: has steps that are not in the plan: {', '.join(unknown)}"
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
        if step.status == "done":
            if step.kind == "deploy" and not self._has_code(step.address):
                raise JournalError(f"{self.journal.path}: no code at {step.address} ({step.name})")
            return "skipped"
        if step.status == "pending":
            self._sign(step)
            action = "deployed" if step.kind == "deploy" else "called"
        else:
            action = "settled"
        self._settle(step)
        return action

    def _build_transaction(self, step: Step) -> Any:
        if step.kind == "deploy":
            container = self.project.get_contract(step.contract)
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
            verification = verification_input(self.project, step.contract)
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


def default_journal_dir(project: Any) -> Path:
    return Path(project.path) / "deployments"
