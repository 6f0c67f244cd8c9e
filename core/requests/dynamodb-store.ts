import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbGrants } from './dynamodb-grants';
import { DynamoDbManagedUsers } from './dynamodb-managed-users';
import { DynamoDbRequests } from './dynamodb-requests';
import { DynamoDbSlots } from './dynamodb-slots';
import { DynamoDbSuspensions } from './dynamodb-suspensions';
import { AccessTable } from './dynamodb-table';
import type { Approval, PendingRequest, RequestedGrant, Suspension } from './records';
import type { AccessStore, GrantEnd } from './store';

/** The access store in one DynamoDB table: each kind of record is kept by its own part. */
export class DynamoDbAccessStore implements AccessStore {
  private readonly grants: DynamoDbGrants;
  private readonly requests: DynamoDbRequests;
  private readonly ephemeralSlots: DynamoDbSlots;
  private readonly suspensions: DynamoDbSuspensions;
  private readonly managed: DynamoDbManagedUsers;

  constructor(db: DynamoDBDocumentClient, tableName: string, now: () => number = Date.now) {
    const table = new AccessTable(db, tableName, now);
    this.grants = new DynamoDbGrants(table);
    this.requests = new DynamoDbRequests(table);
    this.ephemeralSlots = new DynamoDbSlots(table);
    this.suspensions = new DynamoDbSuspensions(table);
    this.managed = new DynamoDbManagedUsers(table);
  }

  recordGrant(grant: RequestedGrant) {
    return this.grants.recordGrant(grant);
  }
  grant(requestId: string) {
    return this.grants.grant(requestId);
  }
  activeGrants() {
    return this.grants.activeGrants();
  }
  endGrant(requestId: string, end: GrantEnd) {
    return this.grants.endGrant(requestId, end);
  }
  claimAnnouncement(
    requestId: string,
    which: 'granted' | 'ended',
    claim: { readonly nowMs: number; readonly untilMs: number },
  ) {
    return this.grants.claimAnnouncement(requestId, which, claim);
  }
  markPublished(requestId: string, which: 'granted' | 'ended') {
    return this.grants.markPublished(requestId, which);
  }
  noteEphemeral(requestId: string, progress: { readonly secretArn: string } | { readonly retired: true }) {
    return this.grants.noteEphemeral(requestId, progress);
  }

  recordRequest(request: PendingRequest) {
    return this.requests.recordRequest(request);
  }
  pendingRequest(requestId: string) {
    return this.requests.pendingRequest(requestId);
  }
  activeRequests() {
    return this.requests.activeRequests();
  }
  addApproval(requestId: string, approval: Approval, version: number, completes: boolean) {
    return this.requests.addApproval(requestId, approval, version, completes);
  }
  closeRequest(requestId: string, close: Parameters<DynamoDbRequests['closeRequest']>[1]) {
    return this.requests.closeRequest(requestId, close);
  }
  markAnnounced(requestId: string, keys: readonly string[], finished: boolean) {
    return this.requests.markAnnounced(requestId, keys, finished);
  }

  claimSlot(rule: string, requestId: string, max: number, atMs: number) {
    return this.ephemeralSlots.claimSlot(rule, requestId, max, atMs);
  }
  releaseSlot(rule: string, requestId: string) {
    return this.ephemeralSlots.releaseSlot(rule, requestId);
  }
  slots() {
    return this.ephemeralSlots.slots();
  }

  activeSuspensions() {
    return this.suspensions.activeSuspensions();
  }
  suspension(user: string) {
    return this.suspensions.suspension(user);
  }
  suspend(suspension: Suspension) {
    return this.suspensions.suspend(suspension);
  }
  reinstate(
    user: string,
    by: { readonly reinstatedBy: string; readonly reason: string; readonly at: string },
  ) {
    return this.suspensions.reinstate(user, by);
  }
  settleRestore(user: string, groupArn: string) {
    return this.suspensions.settleRestore(user, groupArn);
  }

  managedUsers() {
    return this.managed.managedUsers();
  }
  addManaged(groupArn: string, users: readonly string[]) {
    return this.managed.addManaged(groupArn, users);
  }
  removeManaged(groupArn: string, users: readonly string[]) {
    return this.managed.removeManaged(groupArn, users);
  }
}
