import type { EngineDescription } from '../engine';

export const ELASTICACHE: EngineDescription = {
  engine: 'elasticache',
  service: 'elasticache',
  label: 'ElastiCache',
  sidName: 'ElastiCache',
  groupNoun: 'ElastiCache user group',
  user: { resourcePrefix: 'user:', idName: 'userId' },
  group: { resourcePrefix: 'usergroup:', idName: 'userGroupId' },
  actions: {
    describeUser: 'elasticache:DescribeUsers',
    setPasswords: 'elasticache:ModifyUser',
    describeGroups: 'elasticache:DescribeUserGroups',
    modifyGroup: 'elasticache:ModifyUserGroup',
    createUser: 'elasticache:CreateUser',
    deleteUser: 'elasticache:DeleteUser',
    listUsers: 'elasticache:DescribeUsers',
    tagsOf: 'elasticache:ListTagsForResource',
    createGroup: 'elasticache:CreateUserGroup',
    deleteGroup: 'elasticache:DeleteUserGroup',
  },
  tagOnCreate: 'elasticache:AddTagsToResource',
};
