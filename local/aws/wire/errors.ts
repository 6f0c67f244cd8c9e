/** A modelled AWS error; `code` is the error shape name, e.g. `InvalidUserStateFault`. */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * How one error shape appears on the wire. awsQuery services send a shorter code than the shape name
 * (the `awsQueryError` trait in the SDK's schemas), and some faults use a status other than 400.
 */
export interface Fault {
  readonly shape: string;
  readonly queryCode: string;
  readonly status: number;
}

/** The code every service answers an excess request with; see `ThrottleOptions`. */
export const THROTTLING = 'ThrottlingException';

// Faults no service models but every one can send. The SDK retries the server faults because of their status
// and the throttling fault because of its code, which awsQuery services spell `Throttling`.
const COMMON_FAULTS: readonly Fault[] = [
  { shape: 'InternalFailure', queryCode: 'InternalFailure', status: 500 },
  { shape: 'InternalServiceError', queryCode: 'InternalServiceError', status: 500 },
  { shape: 'ServiceUnavailable', queryCode: 'ServiceUnavailable', status: 503 },
  { shape: THROTTLING, queryCode: 'Throttling', status: 400 },
];

/** How the service spells `code`; either spelling is accepted so a test can inject a fault by the name it knows. */
export function faultFor(faults: readonly Fault[], code: string): Fault {
  const known = [...faults, ...COMMON_FAULTS].find(
    (fault) => fault.shape === code || fault.queryCode === code,
  );
  return known ?? { shape: code, queryCode: code, status: 400 };
}
