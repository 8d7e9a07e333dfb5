-- The two phases of a chat turn, each one round trip: plans are cached per session, and RLS
-- applies to every row they touch (security invoker: they run with the caller's role and claims).
-- begin_turn locks the conversation row first, so that two turns sent at once read each other's
-- messages (each statement below takes a fresh snapshot) instead of sharing one parent.
create or replace function public.begin_turn(p jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
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
  select jsonb_build_object('displayName', pr.display_name, 'defaultModel', pr.default_model, 'email', pr.email)
  into prof from public.profiles pr where pr.id = conv.user_id;

  if p ->> 'kind' = 'send' then
    insert into public.messages (id, conversation_id, parent_id, role, content, token_count)
    values (
      coalesce(nullif(p ->> 'id', '')::uuid, gen_random_uuid()),
      conv.id,
      coalesce(
        nullif(p ->> 'parentId', '')::uuid,
        (select m.id from public.messages m where m.conversation_id = conv.id order by m.seq desc limit 1)
      ),
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

  if question.parent_id is not null then
    with recursive thread (id, parent_id, depth, tokens) as (
      select m.id, m.parent_id, 1, m.token_count::bigint
      from public.messages m
      where m.id = question.parent_id and m.conversation_id = conv.id
      union all
      select m.id, m.parent_id, t.depth + 1, t.tokens + m.token_count
      from thread t
      join public.messages m on m.id = t.parent_id
      where t.depth < 10000 and t.tokens < (p ->> 'historyTokens')::bigint
    )
    select coalesce(jsonb_agg(jsonb_build_object(
      'id', m.id, 'role', m.role, 'content', m.content, 'token_count', m.token_count, 'status', m.status
    ) order by m.seq), '[]'::jsonb)
    into history
    from public.messages m
    where m.conversation_id = conv.id and m.id in (select thread.id from thread);
  end if;

  return jsonb_build_object(
    'status', 'new',
    'conversation', to_jsonb(conv),
    'profile', coalesce(prof, jsonb_build_object('displayName', null, 'defaultModel', null, 'email', null)),
    'userMessage', to_jsonb(question),
    'assistantMessage', to_jsonb(reply),
    'history', history
  );
end
$$;
--> statement-breakpoint
comment on function public.begin_turn(jsonb) is 'Opens a chat turn in one round trip: locks the conversation, stores the user message (idempotently) and an empty streaming reply, and returns the history within a token budget.';
--> statement-breakpoint
-- Records a turn's outcome in one round trip: the reply, its usage event and the conversation's totals.
create or replace function public.settle_turn(p jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  reply public.messages;
  conv public.conversations;
  r public.messages := jsonb_populate_record(null::public.messages, p -> 'reply');
  u public.usage_events := jsonb_populate_record(null::public.usage_events, p -> 'usage');
begin
  update public.messages m set
    content = r.content, status = r.status, model = r.model, provider = r.provider,
    input_tokens = r.input_tokens, output_tokens = r.output_tokens,
    cached_input_tokens = r.cached_input_tokens, token_count = r.token_count,
    cost_micro_usd = r.cost_micro_usd, ttft_ms = r.ttft_ms, latency_ms = r.latency_ms,
    error = r.error, metadata = r.metadata
  where m.id = (p ->> 'messageId')::uuid
  returning m.* into reply;
  -- The conversation may have been deleted while the reply streamed; the spend is still recorded.
  insert into public.usage_events (
    conversation_id, message_id, request_id, provider, model, prompt_name, prompt_version,
    input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_micro_usd,
    ttft_ms, latency_ms, status, error_code, attempts, fallback_from
  ) values (
    case when reply.id is null then null else reply.conversation_id end,
    reply.id, u.request_id, u.provider, u.model, u.prompt_name, u.prompt_version,
    u.input_tokens, u.output_tokens, u.cached_input_tokens, u.reasoning_tokens, u.cost_micro_usd,
    u.ttft_ms, u.latency_ms, u.status, u.error_code, u.attempts, u.fallback_from
  );
  if reply.id is not null then
    update public.conversations c set
      input_tokens = c.input_tokens + u.input_tokens,
      output_tokens = c.output_tokens + u.output_tokens,
      cost_micro_usd = c.cost_micro_usd + u.cost_micro_usd,
      last_message_at = now()
    where c.id = reply.conversation_id
    returning c.* into conv;
  end if;
  return jsonb_build_object(
    'assistantMessage', case when reply.id is null then null else to_jsonb(reply) end,
    'conversation', case when conv.id is null then null else to_jsonb(conv) end
  );
end
$$;
--> statement-breakpoint
comment on function public.settle_turn(jsonb) is 'Records a chat turn''s outcome in one round trip: the reply, a usage event and the conversation''s totals.';
--> statement-breakpoint
revoke all on function public.begin_turn(jsonb), public.settle_turn(jsonb) from public, anon;
--> statement-breakpoint
grant execute on function public.begin_turn(jsonb), public.settle_turn(jsonb) to authenticated, service_role;
