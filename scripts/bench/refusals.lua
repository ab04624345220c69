-- Counts answers that carry GraphQL errors (or, for operation 6, user errors): a fast refusal must not pass
-- for a fast answer. scripts/bench/bench.sh appends this to every operation's script and fails on any.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

refused = 0

function response(status, headers, body)
  if body:find('"errors":', 1, true) or (body:find('"userErrors":', 1, true) and not body:find('"userErrors":[]', 1, true)) then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("refused")
  end
  io.write(string.format("Refused: %d\n", total))
end
