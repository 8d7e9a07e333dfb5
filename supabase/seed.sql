-- Model configs are seeded by the API at start from the catalog in packages/llm
-- (so prices stay in one place); nothing else needs seeding.
select 1;
