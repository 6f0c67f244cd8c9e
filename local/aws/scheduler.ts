import { ACCOUNT } from './account';
import type { ServiceModule } from './dispatch';
import { type Fault, ServiceError } from './wire/errors';
import { type Input, requiredString } from './wire/input';

const FAULTS: readonly Fault[] = [
  { shape: 'ConflictException', queryCode: 'ConflictException', status: 409 },
  { shape: 'ResourceNotFoundException', queryCode: 'ResourceNotFoundException', status: 404 },
  { shape: 'ValidationException', queryCode: 'ValidationException', status: 400 },
];
const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

/** A schedule as Scheduler keeps it; the model stores what the functions set and tests look at. */
export interface LocalSchedule {
  readonly name: string;
  readonly groupName: string;
  readonly expression: string;
  readonly timezone: string;
  readonly flexibleWindow: string;
  readonly actionAfterCompletion: string;
  /** A DISABLED schedule exists but never fires. */
  readonly state: 'ENABLED' | 'DISABLED';
  readonly targetArn: string;
  readonly roleArn: string;
  readonly input?: string;
  readonly deadLetterArn?: string;
}

/** A one-time schedule firing: the input its target gets, with the context attributes filled in. */
export interface Firing {
  readonly schedule: LocalSchedule;
  readonly input: unknown;
}

/** The controls tests get for Scheduler: what exists, and firing what is due. */
export interface SchedulesHarness {
  list(groupName?: string): LocalSchedule[];
  /**
   * Fires every `at()` schedule due at `now`, as Scheduler would: returns what each target would get,
   * and deletes the schedules set to DELETE after completion.
   */
  fireDue(now?: Date): Firing[];
}

/** EventBridge Scheduler over restJson1: CreateSchedule, DeleteSchedule, GetSchedule, ListSchedules. */
export class ScheduleStore implements SchedulesHarness {
  private readonly schedules = new Map<string, LocalSchedule>();

  readonly module: ServiceModule = {
    service: 'scheduler',
    faults: FAULTS,
    safeParams: ['Name', 'GroupName', 'groupName', 'ScheduleExpression', 'ActionAfterCompletion', 'State'],
    routes: [
      { method: 'POST', path: /^\/schedules\/(?<Name>[^/]+)$/, operation: 'CreateSchedule' },
      { method: 'DELETE', path: /^\/schedules\/(?<Name>[^/]+)$/, operation: 'DeleteSchedule' },
      { method: 'GET', path: /^\/schedules\/(?<Name>[^/]+)$/, operation: 'GetSchedule' },
      { method: 'GET', path: /^\/schedules$/, operation: 'ListSchedules' },
    ],
    operations: {
      CreateSchedule: (input, { region }) => this.create(input, region),
      DeleteSchedule: (input) => this.remove(input),
      GetSchedule: (input, { region }) => this.get(input, region),
      ListSchedules: (input, { region }) => ({
        Schedules: this.list(input.string('ScheduleGroup')).map((schedule) => ({
          Name: schedule.name,
          GroupName: schedule.groupName,
          State: schedule.state,
          Arn: arnOf(schedule, region),
          Target: { Arn: schedule.targetArn },
        })),
      }),
    },
  };

  list(groupName?: string): LocalSchedule[] {
    return [...this.schedules.values()].filter(
      (schedule) => groupName === undefined || schedule.groupName === groupName,
    );
  }

  fireDue(now = new Date()): Firing[] {
    const firings: Firing[] = [];
    for (const [key, schedule] of this.schedules) {
      const at = AT.exec(schedule.expression)?.[1];
      if (at === undefined || Date.parse(`${at}Z`) > now.getTime()) continue;
      const input = (schedule.input ?? '{}').replaceAll(SCHEDULED_TIME, new Date(`${at}Z`).toISOString());
      firings.push({ schedule, input: JSON.parse(input) });
      if (schedule.actionAfterCompletion === 'DELETE') this.schedules.delete(key);
    }
    return firings;
  }

  private create(input: Input, region: string) {
    const name = requiredString(input, 'Name');
    const groupName = input.string('GroupName') ?? 'default';
    if (!NAME.test(name))
      throw new ServiceError('ValidationException', `Name ${name} does not match [0-9a-zA-Z-_.]{1,64}.`);
    const expression = requiredString(input, 'ScheduleExpression');
    if (!/^(at|rate|cron)\(.+\)$/.test(expression)) {
      throw new ServiceError('ValidationException', `Invalid Schedule Expression ${expression}.`);
    }
    const flexible = input.struct('FlexibleTimeWindow')?.string('Mode');
    const target = input.struct('Target');
    if (flexible === undefined || target === undefined) {
      throw new ServiceError('ValidationException', 'FlexibleTimeWindow and Target are required.');
    }
    const state = input.string('State') ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') {
      throw new ServiceError('ValidationException', `State ${state} is not ENABLED or DISABLED.`);
    }
    const key = `${groupName}/${name}`;
    if (this.schedules.has(key)) {
      throw new ServiceError('ConflictException', `Schedule ${name} already exists.`);
    }
    const schedule: LocalSchedule = {
      name,
      groupName,
      expression,
      timezone: input.string('ScheduleExpressionTimezone') ?? 'UTC',
      flexibleWindow: flexible,
      actionAfterCompletion: input.string('ActionAfterCompletion') ?? 'NONE',
      state,
      targetArn: requiredString(target, 'Arn'),
      roleArn: requiredString(target, 'RoleArn'),
      input: target.string('Input'),
      deadLetterArn: target.struct('DeadLetterConfig')?.string('Arn'),
    };
    this.schedules.set(key, schedule);
    return { ScheduleArn: arnOf(schedule, region) };
  }

  private remove(input: Input) {
    const key = `${input.string('groupName') ?? 'default'}/${requiredString(input, 'Name')}`;
    if (!this.schedules.delete(key))
      throw new ServiceError('ResourceNotFoundException', `Schedule ${key} does not exist.`);
    return {};
  }

  private get(input: Input, region: string) {
    const key = `${input.string('groupName') ?? 'default'}/${requiredString(input, 'Name')}`;
    const schedule = this.schedules.get(key);
    if (!schedule) throw new ServiceError('ResourceNotFoundException', `Schedule ${key} does not exist.`);
    return {
      Name: schedule.name,
      GroupName: schedule.groupName,
      Arn: arnOf(schedule, region),
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timezone,
      FlexibleTimeWindow: { Mode: schedule.flexibleWindow },
      ActionAfterCompletion: schedule.actionAfterCompletion,
      State: schedule.state,
      Target: { Arn: schedule.targetArn, RoleArn: schedule.roleArn, Input: schedule.input },
    };
  }
}

const arnOf = (schedule: LocalSchedule, region: string) =>
  `arn:aws:scheduler:${region}:${ACCOUNT}:schedule/${schedule.groupName}/${schedule.name}`;
