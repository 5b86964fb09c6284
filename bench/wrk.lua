-- Replays the requests agentready sent during the batch benchmark, over
-- the same virtual hosts, so wrk measures the raw request rate of the same
-- server for the same paths, methods and bodies.
--
-- Environment: BENCH_REQUESTS (the file /__bench/requests wrote),
-- BENCH_PORT, BENCH_HOSTS (number of virtual hosts), BENCH_SITES (sites).

local pool = {}
local counter = 0

local function unpercent(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

function init(args)
  local port = os.getenv("BENCH_PORT")
  local hosts = tonumber(os.getenv("BENCH_HOSTS") or "10000")
  local sites = tonumber(os.getenv("BENCH_SITES") or "12")
  local reqs = {}
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local site, method, path, auth, body = line:match("^(%d+)\t(%u+)\t([^\t]*)\t(%d)\t?(.*)$")
    if site then
      table.insert(reqs, { site = tonumber(site), method = method, path = path,
                           auth = auth == "1", body = unpercent(body or "") })
    end
  end
  -- Pre-format a pool of requests over many hosts, so that building a
  -- request costs wrk nothing during the run.
  local per_site = math.floor(hosts / sites)
  for i = 0, 9999 do
    local r = reqs[(i % #reqs) + 1]
    local h = (math.floor(i / #reqs) % per_site) * sites + r.site
    local headers = { ["Host"] = string.format("t%05d.bench.test:%s", h, port),
                      ["User-Agent"] = "wrk" }
    if r.auth then headers["Authorization"] = "Bearer agentready-invalid-token" end
    if r.body ~= "" then
      if r.body:sub(1, 1) == "{" then
        headers["Content-Type"] = "application/json"
      else
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      end
    end
    local body = nil
    if r.body ~= "" then body = r.body end
    pool[#pool + 1] = wrk.format(r.method, r.path, headers, body)
  end
end

function request()
  counter = counter + 1
  return pool[(counter % #pool) + 1]
end
