import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DBObject, type ModelListener, type WriteOperation } from '../../src/index.js';

/*
 * Compile-time tests of model events (issue 15): `Model.on(event, listener)`. The functions below never run:
 * `npm run typecheck` checks them, and every `// @ts-expect-error` line fails the check once it stops being an
 * error.
 */

class User extends DBObject {
  declare id: number;
  declare email: string;

  override afterCommit(operation: WriteOperation): void {
    if (operation === 'create') this.email.toLowerCase();
  }
}

class Admin extends User {
  declare level: number;
}

class Post extends DBObject {
  declare title: string;
}

function listeners(): void {
  // The listener's record is typed as the model the listener is registered on.
  const off: () => void = User.on('afterCommit', (user) => user.email);
  off();
  User.on('afterSave', (user) => user.email.length);
  Admin.on('afterCreate', (admin) => admin.level + 1);
  Post.on('afterDelete', async (post) => {
    await Promise.resolve(post.title);
  });
  // afterCommit and afterRollback listeners are told what was written.
  User.on('afterRollback', (user, operation) => {
    const known: 'create' | 'update' | 'delete' = operation;
    return [user.id, known];
  });
  const listener: ModelListener<User, 'afterCommit'> = (user, operation) => `${user.email} ${operation}`;
  User.on('afterCommit', listener);
}

function mistakes(): void {
  // @ts-expect-error a misspelled event
  User.on('afterComit', () => undefined);
  // @ts-expect-error before-hooks are not events: a listener cannot cancel
  User.on('beforeSave', () => undefined);
  // @ts-expect-error afterInit is not an event
  User.on('afterInit', () => undefined);
  // @ts-expect-error a Post listener on User: the record is a User
  User.on('afterSave', (post: Post) => post.title);
  // @ts-expect-error a User has no level (an Admin does)
  User.on('afterSave', (user) => user.level);
  // @ts-expect-error afterSave listeners are told the record only
  User.on('afterSave', (_user, operation: WriteOperation) => operation);
  // @ts-expect-error the listener must be a function
  User.on('afterSave', 'send mail');
}

it('types model event listeners from the model and the event (checked by typecheck)', () => {
  for (const check of [listeners, mistakes]) assert.equal(typeof check, 'function');
});
