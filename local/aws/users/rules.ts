import { ServiceError } from '../wire/errors';
import type { AuthType, ServerEngine, UserChange } from './types';

const MIN_PASSWORD_LENGTH = 16;
const MAX_PASSWORD_LENGTH = 128;
const MAX_PASSWORDS = 2;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const FORBIDDEN_CHARACTERS = /[,"/@]/;
const RESOURCE_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,39}$/;
// Rules that set passwords or wipe the user: passwords come from their own parameters, never the access string.
const PASSWORD_RULES = /^([<>#!]|nopass$|resetpass$|reset$)/;

/** How a user authenticates and what it may reach: what ModifyUser and UpdateUser change. */
export interface Credentials {
  readonly authType: AuthType;
  readonly passwords: readonly string[];
  readonly accessString: string;
}

/**
 * Checks an ElastiCache UserId or UserGroupId, or a MemoryDB user or ACL name, and returns it as both services
 * store it: lowercase.
 */
export function resourceName(param: string, value: string): string {
  if (!RESOURCE_NAME.test(value) || value.includes('--') || value.endsWith('-')) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `${param} ${value} is not valid: it must start with a letter, hold only letters, digits and hyphens, have at most 40 characters, and neither hold two hyphens in a row nor end with one.`,
    );
  }
  return value.toLowerCase();
}

/** Maps ElastiCache's spelling of an engine, in any case; MemoryDB takes none. */
export function serverEngineFrom(value: string): ServerEngine {
  const engine = value.toLowerCase();
  if (engine !== 'redis' && engine !== 'valkey') {
    throw new ServiceError(
      'InvalidParameterValueException',
      `Engine ${value} is not valid; use redis or valkey.`,
    );
  }
  return engine;
}

/** Maps a service's spelling of the authentication type; an unknown one is the caller's error. */
export function authTypeFrom(
  value: string | undefined,
  accepted: Readonly<Record<string, AuthType>>,
): AuthType | undefined {
  if (value === undefined) {
    return undefined;
  }
  const authType = accepted[value];
  if (authType === undefined) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `Authentication type ${value} is not valid; use one of: ${Object.keys(accepted).join(', ')}.`,
    );
  }
  return authType;
}

/** The credentials a modification leaves the user with, if the services accept it. */
export function resolveChange(current: Credentials, change: UserChange): Credentials {
  if (change.authType === undefined && change.passwords === undefined && change.accessString === undefined) {
    throw new ServiceError('InvalidParameterCombinationException', 'No modifications were requested.');
  }
  const authType = change.authType ?? (change.passwords === undefined ? current.authType : 'password');
  const accessString = change.accessString ?? current.accessString;
  if (authType !== 'password') {
    if ((change.passwords ?? []).length > 0) {
      throw new ServiceError(
        'InvalidParameterCombinationException',
        `Passwords cannot be set with authentication type ${authType}.`,
      );
    }
    return { authType, passwords: [], accessString };
  }
  const passwords = change.passwords ?? current.passwords;
  checkPasswords(passwords);
  return { authType, passwords: [...passwords], accessString };
}

/** The passwords a new user may have; messages name the position and the rule, never the value. */
export function checkPasswords(passwords: readonly string[]): void {
  if (passwords.length === 0 || passwords.length > MAX_PASSWORDS) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `A user must have 1 to ${MAX_PASSWORDS} passwords; the request has ${passwords.length}.`,
    );
  }
  passwords.forEach((password, index) => {
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      throw new ServiceError(
        'InvalidParameterValueException',
        `Password ${index + 1} has ${password.length} characters; passwords must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}.`,
      );
    }
    if (!PRINTABLE_ASCII.test(password) || FORBIDDEN_CHARACTERS.test(password)) {
      throw new ServiceError(
        'InvalidParameterValueException',
        `Password ${index + 1} has a character that is not allowed; use printable ASCII without , " / @.`,
      );
    }
  });
}

/**
 * The access string as redis ACL rules for `createUser`: `on`/`off` left to the login state, and no rule that
 * sets a password or resets the user.
 */
export function aclRules(accessString: string): string[] {
  const rules = accessString.split(/\s+/).filter((rule) => rule !== '');
  if (rules.length === 0) {
    throw new ServiceError('InvalidParameterValueException', 'The access string must not be empty.');
  }
  const refused = rules.findIndex((rule) => PASSWORD_RULES.test(rule));
  if (refused >= 0) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `Access string rule ${refused + 1} sets a password or resets the user; give passwords in their own parameter.`,
    );
  }
  return rules.filter((rule) => rule !== 'on' && rule !== 'off');
}
