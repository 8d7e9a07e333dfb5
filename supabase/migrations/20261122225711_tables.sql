CREATE TABLE "conversations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid DEFAULT auth.uid() NOT NULL,
	"title" text,
	"model" text,
	"system_prompt" text,
	"temperature" real,
	"visibility" text DEFAULT 'private' NOT NULL,
	"archived_at" timestamp (3) with time zone,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"cost_micro_usd" bigint DEFAULT 0 NOT NULL,
	"last_message_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversations_id_user_id_key" UNIQUE("id","user_id"),
	CONSTRAINT "conversations_title_length" CHECK (char_length("conversations"."title") <= 200),
	CONSTRAINT "conversations_system_prompt_length" CHECK (char_length("conversations"."system_prompt") <= 20000),
	CONSTRAINT "conversations_temperature_range" CHECK ("conversations"."temperature" between 0 and 2),
	CONSTRAINT "conversations_visibility_valid" CHECK ("conversations"."visibility" in ('private', 'public')),
	CONSTRAINT "conversations_totals_non_negative" CHECK ("conversations"."input_tokens" >= 0 and "conversations"."output_tokens" >= 0 and "conversations"."cost_micro_usd" >= 0)
);
--> statement-breakpoint
ALTER TABLE "conversations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "messages_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"conversation_id" uuid NOT NULL,
	"user_id" uuid DEFAULT auth.uid() NOT NULL,
	"parent_id" uuid,
	"role" text NOT NULL,
	"content" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'complete' NOT NULL,
	"model" text,
	"provider" text,
	"input_tokens" integer,
	"output_tokens" integer,
	"cached_input_tokens" integer,
	"token_count" integer DEFAULT 0 NOT NULL,
	"cost_micro_usd" bigint DEFAULT 0 NOT NULL,
	"ttft_ms" integer,
	"latency_ms" integer,
	"error" jsonb,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "messages_id_conversation_id_key" UNIQUE("id","conversation_id"),
	CONSTRAINT "messages_role_valid" CHECK ("messages"."role" in ('system', 'user', 'assistant', 'tool')),
	CONSTRAINT "messages_status_valid" CHECK ("messages"."status" in ('streaming', 'complete', 'incomplete', 'error')),
	CONSTRAINT "messages_content_length" CHECK (char_length("messages"."content") <= 1000000),
	CONSTRAINT "messages_counts_non_negative" CHECK ("messages"."token_count" >= 0 and "messages"."cost_micro_usd" >= 0 and coalesce("messages"."input_tokens", 0) >= 0 and coalesce("messages"."output_tokens", 0) >= 0)
);
--> statement-breakpoint
ALTER TABLE "messages" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "model_configs" (
	"id" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"upstream_model" text NOT NULL,
	"display_name" text NOT NULL,
	"context_window" integer NOT NULL,
	"max_output_tokens" integer NOT NULL,
	"input_usd_per_mtok" numeric(12, 6) NOT NULL,
	"output_usd_per_mtok" numeric(12, 6) NOT NULL,
	"cached_input_usd_per_mtok" numeric(12, 6) NOT NULL,
	"prices_effective_on" date NOT NULL,
	"capabilities" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_configs_id_format" CHECK ("model_configs"."id" ~ '^[a-z0-9][a-z0-9._:-]{0,63}$'),
	CONSTRAINT "model_configs_limits_valid" CHECK ("model_configs"."context_window" > 0 and "model_configs"."max_output_tokens" > 0 and "model_configs"."max_output_tokens" <= "model_configs"."context_window"),
	CONSTRAINT "model_configs_prices_non_negative" CHECK ("model_configs"."input_usd_per_mtok" >= 0 and "model_configs"."output_usd_per_mtok" >= 0 and "model_configs"."cached_input_usd_per_mtok" >= 0)
);
--> statement-breakpoint
ALTER TABLE "model_configs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "profiles" (
	"id" uuid PRIMARY KEY NOT NULL,
	"email" text,
	"display_name" text,
	"default_model" text,
	"theme" text DEFAULT 'system' NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "profiles_display_name_length" CHECK (char_length("profiles"."display_name") <= 100),
	CONSTRAINT "profiles_theme_valid" CHECK ("profiles"."theme" in ('system', 'light', 'dark'))
);
--> statement-breakpoint
ALTER TABLE "profiles" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "usage_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid DEFAULT auth.uid(),
	"conversation_id" uuid,
	"message_id" uuid,
	"request_id" text,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"prompt_name" text,
	"prompt_version" text,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"cached_input_tokens" integer DEFAULT 0 NOT NULL,
	"reasoning_tokens" integer DEFAULT 0 NOT NULL,
	"cost_micro_usd" bigint DEFAULT 0 NOT NULL,
	"ttft_ms" integer,
	"latency_ms" integer,
	"status" text NOT NULL,
	"error_code" text,
	"attempts" integer DEFAULT 1 NOT NULL,
	"fallback_from" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_events_status_valid" CHECK ("usage_events"."status" in ('ok', 'error', 'aborted')),
	CONSTRAINT "usage_events_counts_non_negative" CHECK ("usage_events"."input_tokens" >= 0 and "usage_events"."output_tokens" >= 0 and "usage_events"."cached_input_tokens" >= 0 and "usage_events"."reasoning_tokens" >= 0 and "usage_events"."cost_micro_usd" >= 0 and "usage_events"."attempts" >= 1)
);
--> statement-breakpoint
ALTER TABLE "usage_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_conversation_owner_fkey" FOREIGN KEY ("conversation_id","user_id") REFERENCES "public"."conversations"("id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_parent_fkey" FOREIGN KEY ("parent_id","conversation_id") REFERENCES "public"."messages"("id","conversation_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profiles" ADD CONSTRAINT "profiles_id_users_id_fk" FOREIGN KEY ("id") REFERENCES "auth"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_user_id_last_message_at_idx" ON "conversations" USING btree ("user_id","last_message_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "messages_conversation_id_seq_idx" ON "messages" USING btree ("conversation_id","seq");--> statement-breakpoint
CREATE INDEX "messages_parent_id_idx" ON "messages" USING btree ("parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "model_configs_single_default_idx" ON "model_configs" USING btree ("is_default") WHERE "model_configs"."is_default";--> statement-breakpoint
CREATE INDEX "usage_events_user_id_created_at_idx" ON "usage_events" USING btree ("user_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "usage_events_conversation_id_idx" ON "usage_events" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "usage_events_message_id_idx" ON "usage_events" USING btree ("message_id");--> statement-breakpoint
CREATE POLICY "conversations_select_own" ON "conversations" AS PERMISSIVE FOR SELECT TO "authenticated" USING (user_id = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "conversations_insert_own" ON "conversations" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK (user_id = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "conversations_update_own" ON "conversations" AS PERMISSIVE FOR UPDATE TO "authenticated" USING (user_id = (select auth.uid())) WITH CHECK (user_id = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "conversations_delete_own" ON "conversations" AS PERMISSIVE FOR DELETE TO "authenticated" USING (user_id = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "messages_select_own" ON "messages" AS PERMISSIVE FOR SELECT TO "authenticated" USING (user_id = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "messages_insert_own" ON "messages" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK (user_id = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "messages_update_own" ON "messages" AS PERMISSIVE FOR UPDATE TO "authenticated" USING (user_id = (select auth.uid())) WITH CHECK (user_id = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "model_configs_select_authenticated" ON "model_configs" AS PERMISSIVE FOR SELECT TO "authenticated" USING (true);--> statement-breakpoint
CREATE POLICY "model_configs_insert_admin" ON "model_configs" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ((select public.is_admin()));--> statement-breakpoint
CREATE POLICY "model_configs_update_admin" ON "model_configs" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ((select public.is_admin())) WITH CHECK ((select public.is_admin()));--> statement-breakpoint
CREATE POLICY "model_configs_delete_admin" ON "model_configs" AS PERMISSIVE FOR DELETE TO "authenticated" USING ((select public.is_admin()));--> statement-breakpoint
CREATE POLICY "profiles_select_own" ON "profiles" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("profiles"."id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "profiles_update_own" ON "profiles" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("profiles"."id" = (select auth.uid())) WITH CHECK ("profiles"."id" = (select auth.uid()));--> statement-breakpoint
CREATE POLICY "usage_events_select_own_or_admin" ON "usage_events" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("usage_events"."user_id" = (select auth.uid()) or (select public.is_admin()));--> statement-breakpoint
CREATE POLICY "usage_events_insert_own" ON "usage_events" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("usage_events"."user_id" = (select auth.uid())
        and ("usage_events"."conversation_id" is null or exists (select 1 from public.conversations c where c.id = "usage_events"."conversation_id"))
        and ("usage_events"."message_id" is null or exists (select 1 from public.messages m where m.id = "usage_events"."message_id")));