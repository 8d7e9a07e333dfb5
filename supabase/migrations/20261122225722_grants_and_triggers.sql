-- Explicit privileges: new Supabase projects no longer grant table access automatically, and
-- older ones grant everything to anon. Start from nothing, then grant exactly what policies need.
revoke all on table
  public.profiles, public.conversations, public.messages, public.model_configs, public.usage_events
from anon, authenticated;
--> statement-breakpoint
grant usage on schema public to anon, authenticated, service_role;
--> statement-breakpoint
grant select on table public.profiles to authenticated;
--> statement-breakpoint
grant update (display_name, default_model, theme, settings) on table public.profiles to authenticated;
--> statement-breakpoint
grant select, insert, delete on table public.conversations to authenticated;
--> statement-breakpoint
grant update (
  title, model, system_prompt, temperature, visibility, archived_at,
  input_tokens, output_tokens, cost_micro_usd, last_message_at
) on table public.conversations to authenticated;
--> statement-breakpoint
grant select, insert on table public.messages to authenticated;
--> statement-breakpoint
grant update (
  content, status, model, provider, input_tokens, output_tokens, cached_input_tokens,
  token_count, cost_micro_usd, ttft_ms, latency_ms, error, metadata
) on table public.messages to authenticated;
--> statement-breakpoint
grant select, insert, update, delete on table public.model_configs to authenticated;
--> statement-breakpoint
grant select, insert on table public.usage_events to authenticated;
--> statement-breakpoint
grant all on table
  public.profiles, public.conversations, public.messages, public.model_configs, public.usage_events
to service_role;
--> statement-breakpoint
revoke all on function public.is_admin() from public;
--> statement-breakpoint
grant execute on function public.is_admin() to anon, authenticated, service_role;
--> statement-breakpoint
revoke all on function public.set_updated_at() from public, anon, authenticated;
--> statement-breakpoint
create or replace trigger profiles_set_updated_at before update on public.profiles
  for each row execute function public.set_updated_at();
--> statement-breakpoint
create or replace trigger conversations_set_updated_at before update on public.conversations
  for each row execute function public.set_updated_at();
--> statement-breakpoint
create or replace trigger messages_set_updated_at before update on public.messages
  for each row execute function public.set_updated_at();
--> statement-breakpoint
create or replace trigger model_configs_set_updated_at before update on public.model_configs
  for each row execute function public.set_updated_at();
--> statement-breakpoint
-- A profile for every new user. Security definer because the auth server inserts users, not the user;
-- the display name comes from sign-up metadata and is only a starting value the user can change.
create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, email, display_name)
  values (
    new.id,
    new.email,
    left(nullif(btrim(coalesce(
      new.raw_user_meta_data ->> 'display_name',
      new.raw_user_meta_data ->> 'full_name',
      new.raw_user_meta_data ->> 'name'
    )), ''), 100)
  )
  on conflict (id) do nothing;
  return new;
end
$$;
--> statement-breakpoint
create or replace function public.handle_user_email_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles set email = new.email where id = new.id;
  return new;
end
$$;
--> statement-breakpoint
revoke all on function public.handle_new_user() from public, anon, authenticated;
--> statement-breakpoint
revoke all on function public.handle_user_email_change() from public, anon, authenticated;
--> statement-breakpoint
create or replace trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();
--> statement-breakpoint
create or replace trigger on_auth_user_email_changed after update of email on auth.users
  for each row when (old.email is distinct from new.email)
  execute function public.handle_user_email_change();
