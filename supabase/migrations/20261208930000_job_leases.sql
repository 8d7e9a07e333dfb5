-- Background work that one server instance does for every user, under a lease it renews. A
-- catch-up pass over all users' messages pays for their embeddings (and records what it paid
-- against each user's budget): instances started together, as a deploy starts them, would each
-- embed the same backlog and charge it again. The instance holding a job's lease does the job;
-- the others leave it, and take it over only once the lease has run out (its holder died).
-- Internal bookkeeping, like reply_leases: service role only.
create table if not exists parley_internal.job_leases (
  job text primary key,
  instance_id uuid not null,
  lease_until timestamptz not null
);
--> statement-breakpoint
alter table parley_internal.job_leases enable row level security;
--> statement-breakpoint
revoke all on table parley_internal.job_leases from public, anon, authenticated;
--> statement-breakpoint
grant select, insert, update, delete on table parley_internal.job_leases to service_role;
