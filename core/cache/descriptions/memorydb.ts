import type { EngineDescription } from '../engine';

export const MEMORYDB: EngineDescription = {
  engine: 'memorydb',
  service: 'memorydb',
  label: 'MemoryDB',
  sidName: 'MemoryDb',
  groupNoun: 'MemoryDB ACL',
  user: { resourcePrefix: 'user/', idName: 'userName' },
  group: { resourcePrefix: 'acl/', idName: 'aclName' },
  actions: {
    describeUser: 'memorydb:DescribeUsers',
    setPasswords: 'memorydb:UpdateUser',
    describeGroups: 'memorydb:DescribeACLs',
    modifyGroup: 'memorydb:UpdateACL',
    createUser: 'memorydb:CreateUser',
    deleteUser: 'memorydb:DeleteUser',
    listUsers: 'memorydb:DescribeUsers',
    tagsOf: 'memorydb:ListTags',
    createGroup: 'memorydb:CreateACL',
    deleteGroup: 'memorydb:DeleteACL',
  },
  tagOnCreate: 'memorydb:TagResource',
};
