/**
 * A task's lifecycle. Every transition not in the table is a bug and throws.
 *
 *   CREATED ──open──► RESTORING ──restored──► RUNNING ──close──► CLOSED
 *      │                  │                      │
 *      └──────────────────┴──────close───────────┘
 *
 * A failed commit or a rebalance rolls a RUNNING task back to its last commit; it stays RUNNING.
 * A fenced task (another instance took its partition) is closed without committing.
 */
export const TaskStatus = {
  Created: 'created',
  Restoring: 'restoring',
  Running: 'running',
  Closed: 'closed',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

const transitions: Record<TaskStatus, readonly TaskStatus[]> = {
  [TaskStatus.Created]: [TaskStatus.Restoring, TaskStatus.Closed],
  [TaskStatus.Restoring]: [TaskStatus.Running, TaskStatus.Closed],
  [TaskStatus.Running]: [TaskStatus.Closed],
  [TaskStatus.Closed]: [],
};

export function assertTransition(taskId: string, from: TaskStatus, to: TaskStatus): void {
  if (!transitions[from].includes(to)) throw new Error(`task ${taskId}: invalid transition ${from} -> ${to}`);
}
