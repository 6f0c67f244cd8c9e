/** The account every local resource belongs to, in ARNs. */
export const ACCOUNT = '123456789012';
