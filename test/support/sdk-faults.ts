/** What a modeled SDK fault's constructor takes. */
export const fault = { $metadata: {}, message: 'refused' };

/** An error as the SDK raises it for a fault the service model does not list: only its name is set. */
export const unmodeled = (name: string) => Object.assign(new Error(`${name}: Rate exceeded`), { name });
