-- begin_turn as in 20261205130200_custom_instructions, walking by index as in
-- 20261208800000_begin_turn_walks_by_index and reading the history from the walk itself, and a
-- new turn's answer also carries the caller's
-- budget row (`overridden`, `limitMicroUsd`; null when none was ever written): a user without a
-- limit (no team default and no override, or exempted by an admin) then reserves nothing, which
-- spares the turn a statement. A limit an admin sets while the turn runs applies from the next.
create or replace function public.begin_turn(p jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
set enable_seqscan = off
as $$
declare
  conv public.conversations;
  prof jsonb;
  question public.messages;
  existing public.messages;
  reply public.messages;
  chosen_model text;
  reply_id uuid := nullif(p ->> 'replyId', '')::uuid;
  history jsonb := '[]'::jsonb;
begin
  update public.conversations set last_message_at = now()
  where id = (p ->> 'conversationId')::uuid
  returning * into conv;
  if not found then
    return jsonb_build_object('status', 'conversation_not_found');
  end if;
  select jsonb_build_object(
    'displayName', pr.display_name, 'defaultModel', pr.default_model, 'email', pr.email,
    'aboutMe', pr.about_me, 'replyStyle', pr.reply_style
  )
  into prof from public.profiles pr where pr.id = conv.user_id;

  if p ->> 'kind' = 'send' then
    insert into public.messages (id, conversation_id, parent_id, role, content, token_count)
    values (
      coalesce(nullif(p ->> 'id', '')::uuid, gen_random_uuid()),
      conv.id,
      case when p ? 'parentId' then nullif(p ->> 'parentId', '')::uuid else coalesce(
        conv.active_leaf_id,
        (select m.id from public.messages m where m.conversation_id = conv.id order by m.seq desc limit 1)
      ) end,
      'user',
      p ->> 'content',
      (p ->> 'tokenCount')::integer
    )
    on conflict (id) do nothing
    returning * into question;
    if question.id is null then
      select * into existing from public.messages m where m.id = (p ->> 'id')::uuid;
      if existing.id is null or existing.conversation_id <> conv.id or existing.role <> 'user' then
        return jsonb_build_object('status', 'id_taken');
      end if;
      if existing.content <> p ->> 'content' then
        return jsonb_build_object('status', 'id_resent_differently');
      end if;
      question := existing;
      select * into reply from public.messages m where m.parent_id = question.id order by m.seq desc limit 1;
      if reply.id is not null then
        return jsonb_build_object('status', 'replay', 'userMessage', to_jsonb(question), 'assistantMessage', to_jsonb(reply));
      end if;
    end if;
  else
    select * into existing from public.messages m
    where m.id = (p ->> 'messageId')::uuid and m.conversation_id = conv.id and m.role = 'assistant';
    if existing.id is null then
      return jsonb_build_object('status', 'message_not_found');
    end if;
    select * into question from public.messages m where m.id = existing.parent_id and m.role = 'user';
    if question.id is null then
      return jsonb_build_object('status', 'no_question');
    end if;
    if reply_id is not null then
      select * into reply from public.messages m where m.id = reply_id;
      if reply.id is not null then
        if reply.parent_id is distinct from question.id or reply.role <> 'assistant' then
          return jsonb_build_object('status', 'id_taken');
        end if;
        return jsonb_build_object('status', 'replay', 'userMessage', to_jsonb(question), 'assistantMessage', to_jsonb(reply));
      end if;
    end if;
  end if;

  -- The model asked for, else the conversation's or the user's preference while it is offered.
  chosen_model := coalesce(
    nullif(p ->> 'model', ''),
    case when conv.model = any (array(select jsonb_array_elements_text(p -> 'offered'))) then conv.model end,
    case when prof ->> 'defaultModel' = any (array(select jsonb_array_elements_text(p -> 'offered'))) then prof ->> 'defaultModel' end,
    p ->> 'defaultModel'
  );
  insert into public.messages (id, conversation_id, parent_id, role, content, status, model)
  values (coalesce(reply_id, gen_random_uuid()), conv.id, question.id, 'assistant', '', 'streaming', chosen_model)
  returning * into reply;
  update public.conversations c set active_leaf_id = reply.id where c.id = conv.id
  returning * into conv;

  if question.parent_id is not null then
    -- The walk carries what the history needs, so no second pass over the conversation's
    -- messages is planned. A parent is always in the same conversation (messages_parent_fkey).
    with recursive thread (id, parent_id, depth, tokens, seq, role, content, token_count, status) as (
      select m.id, m.parent_id, 1, m.token_count::bigint, m.seq, m.role, m.content, m.token_count,
        m.status
      from public.messages m
      where m.id = question.parent_id and m.conversation_id = conv.id
      union all
      -- A lateral lookup, so each step is one probe of the primary key whatever the estimates
      -- (a generic plan hashed the caller's messages on every step).
      select m.id, m.parent_id, t.depth + 1, t.tokens + m.token_count, m.seq, m.role, m.content,
        m.token_count, m.status
      from thread t
      cross join lateral (
        select * from public.messages m where m.id = t.parent_id limit 1
      ) m
      where t.depth < 10000 and t.tokens < (p ->> 'historyTokens')::bigint
    )
    select coalesce(jsonb_agg(jsonb_build_object(
      'id', t.id, 'role', t.role, 'content', t.content, 'token_count', t.token_count,
      'status', t.status
    ) order by t.seq), '[]'::jsonb)
    into history
    from thread t;
  end if;

  return jsonb_build_object(
    'status', 'new',
    'conversation', to_jsonb(conv),
    'profile', coalesce(prof, jsonb_build_object(
      'displayName', null, 'defaultModel', null, 'email', null, 'aboutMe', null, 'replyStyle', null
    )),
    'userMessage', to_jsonb(question),
    'assistantMessage', to_jsonb(reply),
    'history', history,
    'budget', (
      select jsonb_build_object('overridden', b.overridden, 'limitMicroUsd', b.limit_micro_usd)
      from public.budgets b where b.user_id = conv.user_id
    )
  );
end
$$;
--> statement-breakpoint
comment on function public.begin_turn(jsonb) is 'Opens a chat turn in one round trip: locks the conversation, stores the user message (idempotently, under the given parent or the active leaf) and an empty streaming reply that becomes the active leaf, and returns the history within a token budget and the caller''s budget row.';
