/** What domain code tells the log about its decisions. Never given a password. */
export type DecisionLog = (message: string, data?: Readonly<Record<string, unknown>>) => void;
