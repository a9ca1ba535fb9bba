-- kbfix's language server for log files in Neovim: diagnostics on the root-cause line, hover
-- (K) with the explanation, code actions that copy a fix into .kbfix/fix.sh (nothing is run).
-- Put this file in ~/.config/nvim/plugin/ or `dofile()` it from init.lua.
-- Neovim 0.8+ uses vim.lsp.start; 0.7 falls back to start_client + buf_attach_client.
-- vim.g.kbfix_cmd overrides the command (default: { "kbfix", "lsp" }).

local function root_of(path)
  local found = vim.fn.finddir(".git", vim.fn.fnamemodify(path, ":p:h") .. ";")
  if found ~= "" then
    return vim.fn.fnamemodify(found, ":p:h:h")
  end
  return vim.fn.getcwd()
end

local function config(path)
  local root = root_of(path)
  return {
    name = "kbfix",
    cmd = vim.g.kbfix_cmd or { "kbfix", "lsp" },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
  }
end

local clients = {}

local function attach(args)
  local path = vim.api.nvim_buf_get_name(args.buf)
  local settings = config(path)
  if vim.lsp.start then
    vim.lsp.start(settings, { bufnr = args.buf })
    return
  end
  local id = clients[settings.root_dir]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(settings)
    clients[settings.root_dir] = id
  end
  vim.lsp.buf_attach_client(args.buf, id)
end

vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
  pattern = { "*.log", "*.txt", "*.out", "*.err" },
  group = vim.api.nvim_create_augroup("kbfix_lsp", { clear = true }),
  callback = attach,
})
