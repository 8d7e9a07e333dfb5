-- Per-user quotas: conversations per user, messages per conversation and stored bytes per user
-- (message content and system prompts). Counters live on the owning rows and are moved by
-- triggers in the statement that writes, under the owner's row lock, so concurrent writes queue
-- on the lock and can never overshoot a limit; a refused write rolls back with its statement.
-- The limits come from the `parley.quotas` setting the API puts on each transaction (JSON with
-- `conversations`, `messagesPerConversation`, `storedBytes`), else the defaults below.
alter table public.profiles
  add column "conversation_count" integer default 0 not null,
  add column "stored_bytes" bigint default 0 not null;
--> statement-breakpoint
alter table public.conversations add column "message_count" integer default 0 not null;
--> statement-breakpoint
update public.conversations c
set message_count = (select count(*) from public.messages m where m.conversation_id = c.id);
--> statement-breakpoint
update public.profiles p set
  conversation_count = (select count(*) from public.conversations c where c.user_id = p.id),
  stored_bytes = coalesce(
    (select sum(octet_length(coalesce(c.system_prompt, ''))) from public.conversations c where c.user_id = p.id), 0
  ) + coalesce(
    (select sum(octet_length(m.content)) from public.messages m where m.user_id = p.id), 0
  );
--> statement-breakpoint
-- Counters change with the rows they count, not with what the user edits.
create or replace trigger profiles_set_updated_at
  before update of email, display_name, default_model, theme, settings on public.profiles
  for each row execute function public.set_updated_at();
--> statement-breakpoint
create or replace function public.quota_limit(quota text)
returns bigint
language sql
stable
set search_path = ''
as $$
  select coalesce(
    (nullif(current_setting('parley.quotas', true), '')::jsonb ->> quota)::bigint,
    case quota
      when 'conversations' then 10000
      when 'messagesPerConversation' then 5000
      else 500 * 1048576
    end
  )
$$;
--> statement-breakpoint
create or replace function public.raise_quota_exceeded(quota text, quota_limit bigint, used bigint)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'the % quota is used up', quota
    using errcode = 'PQ001',
      detail = jsonb_build_object('quota', quota, 'limit', quota_limit, 'used', used)::text;
end
$$;
--> statement-breakpoint
-- Moves a user's counters; `enforce` refuses growth beyond a limit (shrinking never fails).
create or replace function public.charge_profile(owner uuid, conversations integer, bytes bigint, enforce boolean)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  p public.profiles;
  max_conversations bigint := public.quota_limit('conversations');
  max_bytes bigint := public.quota_limit('storedBytes');
begin
  if owner is null or (conversations = 0 and bytes = 0) then
    return;
  end if;
  update public.profiles pr set
    conversation_count = pr.conversation_count + conversations,
    stored_bytes = pr.stored_bytes + bytes
  where pr.id = owner
  returning pr.* into p;
  if not found or not enforce then
    return;
  end if;
  if conversations > 0 and p.conversation_count > max_conversations then
    perform public.raise_quota_exceeded('conversations', max_conversations, p.conversation_count - conversations);
  end if;
  if bytes > 0 and p.stored_bytes > max_bytes then
    perform public.raise_quota_exceeded('storedBytes', max_bytes, p.stored_bytes - bytes);
  end if;
end
$$;
--> statement-breakpoint
create or replace function public.count_conversation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform public.charge_profile(new.user_id, 1, octet_length(coalesce(new.system_prompt, '')), true);
    return new;
  elsif tg_op = 'UPDATE' then
    perform public.charge_profile(
      new.user_id, 0,
      octet_length(coalesce(new.system_prompt, '')) - octet_length(coalesce(old.system_prompt, '')),
      true
    );
    return new;
  end if;
  perform public.charge_profile(old.user_id, -1, -octet_length(coalesce(old.system_prompt, '')), false);
  return old;
end
$$;
--> statement-breakpoint
-- A new conversation starts with no messages, whatever the insert says.
create or replace function public.reset_message_count()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.message_count := 0;
  return new;
end
$$;
--> statement-breakpoint
-- A reply being written is counted but never refused: the next message is.
create or replace function public.count_message()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  counted integer;
  max_messages bigint;
begin
  if tg_op = 'INSERT' then
    max_messages := public.quota_limit('messagesPerConversation');
    update public.conversations c set message_count = c.message_count + 1
    where c.id = new.conversation_id
    returning c.message_count into counted;
    if counted > max_messages then
      perform public.raise_quota_exceeded('messagesPerConversation', max_messages, counted - 1);
    end if;
    perform public.charge_profile(new.user_id, 0, octet_length(new.content), true);
    return new;
  elsif tg_op = 'UPDATE' then
    perform public.charge_profile(
      new.user_id, 0, octet_length(new.content) - octet_length(old.content), new.role <> 'assistant'
    );
    return new;
  end if;
  update public.conversations c set message_count = c.message_count - 1 where c.id = old.conversation_id;
  perform public.charge_profile(old.user_id, 0, -octet_length(old.content), false);
  return old;
end
$$;
--> statement-breakpoint
revoke all on function
  public.quota_limit(text), public.raise_quota_exceeded(text, bigint, bigint),
  public.charge_profile(uuid, integer, bigint, boolean), public.count_conversation(),
  public.reset_message_count(), public.count_message()
from public, anon, authenticated;
--> statement-breakpoint
create or replace trigger conversations_reset_message_count before insert on public.conversations
  for each row execute function public.reset_message_count();
--> statement-breakpoint
create or replace trigger conversations_count after insert or delete or update of system_prompt on public.conversations
  for each row execute function public.count_conversation();
--> statement-breakpoint
create or replace trigger messages_count after insert or delete or update of content on public.messages
  for each row execute function public.count_message();
