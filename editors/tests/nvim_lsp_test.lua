-- Headless Neovim as an LSP client of `sparklint lsp`.
--
-- Starts the server given by SPARKLINT_BIN (default "sparklint") with
-- vim.lsp, opens a PySpark file with `groupByKey().mapValues(sum)`, waits
-- for the diagnostics Neovim received, prints them to stdout and exits 0
-- when SPK201 was among them, non-zero otherwise. Works with Debian's
-- Neovim 0.7 (vim.lsp.start_client) and newer (vim.lsp.start):
--
--   SPARKLINT_BIN=/tmp/sparklint-lsp nvim --headless -u NONE -i NONE -n \
--     -c 'luafile editors/tests/nvim_lsp_test.lua'

local function out(s)
  io.stdout:write(s .. "\n")
  io.stdout:flush()
end

local function finish(code)
  -- :cquit N exits with status N; :qall! with 0.
  if code == 0 then
    vim.cmd("qall!")
  else
    vim.cmd("cquit " .. code)
  end
end

local function main()
  local bin = os.getenv("SPARKLINT_BIN") or "sparklint"
  local timeout = tonumber(os.getenv("SPARKLINT_TEST_TIMEOUT_MS") or "20000")

  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, "p")
  local file = dir .. "/job.py"
  vim.fn.writefile({
    "from pyspark.sql import SparkSession",
    "",
    "sc = SparkSession.builder.getOrCreate().sparkContext",
    'pairs = sc.textFile("s3://logs/").map(lambda line: (line.split()[0], 1))',
    "totals = pairs.groupByKey().mapValues(sum)",
    "print(totals.take(10))",
  }, file)

  vim.cmd("edit " .. vim.fn.fnameescape(file))
  vim.bo.filetype = "python"
  local buf = vim.api.nvim_get_current_buf()

  -- The server's stderr goes to Neovim's LSP log: note where this run's
  -- part starts, to print it on failure.
  local log_path = vim.lsp.get_log_path()
  local log_start = vim.fn.getfsize(log_path)
  if log_start < 0 then
    log_start = 0
  end

  local exited = nil
  local config = {
    name = "sparklint",
    cmd = { bin, "lsp" },
    root_dir = dir,
    -- Answers the server's workspace/configuration request for "sparklint".
    settings = { sparklint = { select = { "ALL" } } },
    on_exit = function(code, signal)
      exited = { code = code, signal = signal }
    end,
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config, { bufnr = buf })
  else
    client_id = vim.lsp.start_client(config)
    if client_id then
      vim.lsp.buf_attach_client(buf, client_id)
    end
  end
  if not client_id then
    out("nvim: could not start " .. bin .. " lsp")
    return 1
  end

  local got = vim.wait(timeout, function()
    return exited ~= nil or #vim.diagnostic.get(buf) > 0
  end, 50)

  local diags = vim.diagnostic.get(buf)
  local client = vim.lsp.get_client_by_id(client_id)
  out(string.format("nvim %s: %d diagnostic(s) from %s", tostring(vim.version and vim.version().minor and
    (vim.version().major .. "." .. vim.version().minor .. "." .. vim.version().patch) or "?"),
    #diags, client and client.name or "?"))
  local spk201 = false
  for _, d in ipairs(diags) do
    out(string.format("%s:%d:%d: %s [%s] %s", vim.fn.fnamemodify(file, ":t"), d.lnum + 1, d.col + 1,
      tostring(d.code), tostring(d.source), d.message))
    if d.code == "SPK201" and d.source == "sparklint" and d.lnum == 4 and d.col == 15 then
      spk201 = true
    end
  end
  if exited then
    out(string.format("nvim: the server exited (code %s, signal %s)", tostring(exited.code), tostring(exited.signal)))
  end
  if not got or not spk201 then
    out("nvim: FAIL: no SPK201 diagnostic from sparklint at 5:16")
    local f = io.open(log_path, "r")
    if f then
      f:seek("set", log_start)
      local text = f:read("*a") or ""
      f:close()
      if text ~= "" then
        out("nvim: the LSP log (" .. log_path .. "), server stderr included:")
        out((text:gsub("\\n", "\n"):gsub("\\t", "\t")))
      end
    end
    return 1
  end

  -- Stop the server politely: shutdown + exit.
  if client then
    client.stop()
    vim.wait(5000, function()
      return exited ~= nil
    end, 50)
    if exited then
      out(string.format("nvim: server stopped (exit code %s)", tostring(exited.code)))
    end
  end
  out("nvim: 1 passed, 0 failed")
  return 0
end

local ok, res = xpcall(main, debug.traceback)
if not ok then
  out("nvim: error: " .. tostring(res))
  finish(2)
else
  finish(res)
end
