-- A message answers an earlier message of its conversation, never itself or a later one, so a
-- thread holds no cycle (one would repeat its messages in the model's context). Self-parents
-- written before this rule answer the message before them instead.
update public.messages m set parent_id = (
  select p.id from public.messages p
  where p.conversation_id = m.conversation_id and p.seq < m.seq
  order by p.seq desc limit 1
)
where m.parent_id = m.id;
--> statement-breakpoint
alter table public.messages add constraint "messages_parent_not_self" check ("parent_id" <> "id");
--> statement-breakpoint
create or replace function public.check_message_parent()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  parent_seq bigint;
begin
  if new.parent_id is null then
    return new;
  end if;
  select m.seq into parent_seq from public.messages m where m.id = new.parent_id;
  -- a parent that does not exist is the foreign key's to report
  if found and parent_seq >= new.seq then
    raise exception 'a message can only answer an earlier message'
      using errcode = 'check_violation', constraint = 'messages_parent_precedes',
        schema = 'public', table = 'messages';
  end if;
  return new;
end
$$;
--> statement-breakpoint
revoke all on function public.check_message_parent() from public, anon, authenticated;
--> statement-breakpoint
create or replace trigger messages_parent_precedes before insert or update of parent_id on public.messages
  for each row execute function public.check_message_parent();
