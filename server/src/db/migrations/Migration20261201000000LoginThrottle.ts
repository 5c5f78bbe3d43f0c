import { Migration } from '@mikro-orm/migrations';

/**
 * Sign-in attempts counted in the database, so every replica shares one budget per (user name, client
 * address) and per client address, and an attempt is counted by one atomic upsert before its password
 * is checked (auth/login-throttle.ts).
 *
 * The triggers announce on `credential_revoked`, in the transaction that revokes, every session or API key
 * that stops working: a session or key revoked, a user deactivated (each of its open sessions). Every
 * replica listens (auth/auth.revocations.ts) and closes that credential's sockets at once, whichever
 * process or tool wrote the change; nothing is announced for a transaction that rolls back.
 */
export class Migration20261201000000LoginThrottle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "login_attempt" ("key" text not null, "count" integer not null, "window_started_at" timestamptz not null, primary key ("key"));`);
    this.addSql(`create index "login_attempt_window_started_at_index" on "login_attempt" ("window_started_at");`);

    this.addSql(`create function credential_revoked_notify() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'app_user' then
    perform pg_notify('credential_revoked', s.id::text) from session s where s.user_id = new.id and s.revoked_at is null and s.expires_at > now();
  else
    perform pg_notify('credential_revoked', new.id::text);
  end if;
  return null;
end $$;`);
    this.addSql(
      `create trigger session_revoked after update of revoked_at on session for each row when (old.revoked_at is null and new.revoked_at is not null) execute function credential_revoked_notify();`,
    );
    this.addSql(
      `create trigger api_key_revoked after update of revoked_at on api_key for each row when (old.revoked_at is null and new.revoked_at is not null) execute function credential_revoked_notify();`,
    );
    this.addSql(`create trigger app_user_deactivated after update of active on app_user for each row when (old.active and not new.active) execute function credential_revoked_notify();`);
  }
}
