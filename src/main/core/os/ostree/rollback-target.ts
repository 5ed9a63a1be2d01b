// Which deployment a rollback makes the default, as rpm-ostree decides it (coreos/rpm-ostree v2026.2,
// src/daemon/rpmostreed-transaction-types.cxx rollback_transaction_execute, over libostree's
// ostree_sysroot_query_deployments_for): in the stateroot, "pending" is the first deployment listed before the
// booted one, "rollback" the first listed after it. The rollback deployment wins; without one, a pending update is
// undone by putting the booted deployment back on top; a STAGED pending deployment blocks it (it is only written at
// shutdown, so there is nothing to reorder yet). Shared by the ostree and rpm-ostree backends.
//
// A sysroot that is not booted (a mounted image, the tests' sysroot) has no booted deployment: its default (the
// first of the stateroot) stands in for it, so the rollback is the next one of the stateroot.

export interface DeploymentOrder {
  index: number;
  osName: string;
  booted: boolean;
  staged: boolean;
}

export type RollbackTarget =
  { kind: 'target'; index: number } | { kind: 'none' } | { kind: 'staged'; stagedIndex: number };

export function rollbackTarget(deployments: readonly DeploymentOrder[], osName: string): RollbackTarget {
  const mine = deployments.filter((d) => d.osName === osName);
  const currentPos = Math.max(
    0,
    mine.findIndex((d) => d.booted),
  );
  const current = mine[currentPos];
  if (!current) return { kind: 'none' };
  const pending = current.booted ? mine[currentPos - 1] : undefined;
  const rollback = mine[currentPos + 1];
  if (pending?.staged) return { kind: 'staged', stagedIndex: pending.index };
  if (rollback) return { kind: 'target', index: rollback.index };
  if (pending) return { kind: 'target', index: current.index };
  return { kind: 'none' };
}
