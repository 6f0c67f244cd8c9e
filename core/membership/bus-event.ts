/** The `source` of every event this stack puts on its bus; rules on the bus refuse it as input. */
export const EVENT_SOURCE = 'cache-access-automation';

/** One event this stack puts on its bus; `source` is always this stack's own. */
export interface BusEvent {
  readonly detailType: string;
  readonly detail: object;
  readonly resources: readonly string[];
  readonly time: Date;
}
