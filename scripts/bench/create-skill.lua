-- Operation 6, an authenticated mutation: each request creates a skill with a slug no other request used, as
-- editor BENCH_TOKEN (scripts/bench/bench.sh makes the key). `thread_id` is set by refusals.lua, appended to this.
local sent = 0
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") }

function request()
  sent = sent + 1
  local slug = string.format("bench-%d-%d", thread_id, sent)
  local body = '{"query":"mutation ($input: SkillInput!) { createSkill(input: $input) { skill { slug version } '
    .. 'userErrors { field message } } }","variables":{"input":{"slug":"' .. slug .. '","name":"Bench ' .. slug
    .. '","category":"TECHNICAL","description":"Made by scripts/bench/bench.sh."}}}'
  return wrk.format("POST", "/graphql", headers, body)
end
