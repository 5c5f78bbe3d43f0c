import { Migration } from '@mikro-orm/migrations';

/**
 * Live events: a statement-level trigger notifies listeners when a transaction that wrote outbox rows
 * commits (NOTIFY is delivered at commit, once per transaction and channel), and a one-row table
 * remembers how far retention has pruned so an older resume cursor is refused rather than served with a gap.
 */
export class Migration20261123010000Events extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function notify_dispatch_event() returns trigger language plpgsql as $$
      begin
        perform pg_notify('dispatch_events', '');
        return null;
      end $$;`);
    this.addSql(`create trigger dispatch_event_notify after insert on "dispatch_event" for each statement execute function notify_dispatch_event();`);
    this.addSql(
      `create table "dispatch_event_retention" ("singleton" boolean primary key default true check ("singleton"), "pruned_tx_id" xid8 not null default '0', "pruned_id" bigint not null default 0, "pruned_at" timestamptz null);`,
    );
    this.addSql(`insert into "dispatch_event_retention" default values;`);
  }
}
