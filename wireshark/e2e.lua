-- e2e.lua: the e2e protocol (seed 002, docs/e2e.md), the messaging
-- service's port in e2e.ports and the upload service's in
-- e2e.upload_ports.  A frame is its length (256) and one RSA-OAEP-SHA256
-- block, the two fields of docs/e2e.md's "Fields on the wire" that are on
-- the wire (lib/e2etrace.c).  What a block holds, and the step the trace
-- names from it (send, forward, upload, chunk, ...), takes a private key
-- this dissector does not have: its step is `block`, with which service,
-- which way (to the server key or the client key) and its number on the
-- connection that way.  A frame of the hardened profile (docs/e2e.md,
-- "Fields on the wire, hardened profile"; lib/e2ehard.h) starts with the
-- mark E2H and a kind: `hello` (the client's name) and `refuse` (the
-- relay's reason) are in clear; a `b` frame is a block, then for a
-- message its RSA-PSS-SHA256 signature, its step `block` as above.
-- Returns the function protokit.lua calls with the helpers.

local BLOCK = 256
local SIG = 256 -- the hardened profile's RSA-PSS-SHA256 signature
local HEAD = 4 -- "E2H" and the kind

return function(pk)
	local p, f = pk.proto("e2e", "protokit e2e", {
		{"ports", "e2e (messaging) relay ports"},
		{"upload_ports", "e2e-upload relay ports"},
	}, {
		{"length", ftypes.UINT32, base.DEC}, {"block", ftypes.BYTES},
		{"service", ftypes.STRING}, {"to", ftypes.STRING},
		{"index", ftypes.UINT32, base.DEC}, {"mark", ftypes.STRING},
		{"kind", ftypes.STRING}, {"name", ftypes.STRING},
		{"text", ftypes.STRING}, {"signature", ftypes.BYTES},
	})
	local tcp_stream = Field.new("tcp.stream")
	-- per connection (tcp.stream) the blocks seen each way; per frame
	-- (pk.frame_key) its number, kept from the first pass
	local conns, memo, seen = {}, {}, {}

	function p.init()
		conns, memo, seen = {}, {}, {}
	end

	local function index(key, way)
		if memo[key] == nil then
			local stream = tcp_stream().value
			local c = conns[stream] or {server = 0, client = 0}
			conns[stream] = c
			c[way] = c[way] + 1
			memo[key] = c[way]
		end
		return memo[key]
	end

	-- hardened(tvb, pinfo, tree, len): a frame of the hardened profile;
	-- nil when it is a block (the caller names it), else done.
	local function hardened(tvb, pinfo, tree, len)
		local kind = tvb(4 + HEAD - 1, 1):string()
		local body = len - HEAD
		if kind == "b" and (body == BLOCK or body == BLOCK + SIG) then
			return nil
		end
		local step = ({h = "hello", r = "refuse"})[kind] or "block"
		local t = pk.frame(p, tvb, pinfo, tree, step)
		pk.add(t, f.length, tvb, 0, 4)
		pk.add(t, f.mark, tvb, 4, HEAD - 1)
		local item = pk.add(t, f.kind, tvb, 4 + HEAD - 1, 1)
		if step == "block" then
			pk.bad(p, pinfo, item, "not a hardened e2e frame")
		elseif kind == "h" and (body < 1 or body > 32) then
			pk.bad(p, pinfo, pk.add(t, f.name, tvb, 4 + HEAD, body),
			    "not a hardened e2e frame")
		else
			pk.add(t, kind == "h" and f.name or f.text, tvb, 4 + HEAD,
			    body)
		end
		return true
	end

	local function dissect_frame(tvb, pinfo, tree)
		local len = tvb:len() - 4
		local hard = len ~= BLOCK and len > HEAD and
		    tvb(4, HEAD - 1):string() == "E2H"
		if hard and tvb(0, 4):uint() == len and
		    hardened(tvb, pinfo, tree, len) then
			return
		end
		local upload = pk.in_prefs(p, "upload_ports", pinfo.dst_port) or
		    pk.in_prefs(p, "upload_ports", pinfo.src_port)
		local service = upload and "e2e-upload" or "e2e"
		local to = (pk.in_prefs(p, "ports", pinfo.dst_port) or
		    pk.in_prefs(p, "upload_ports", pinfo.dst_port)) and
		    "server" or "client"
		local n = index(pk.frame_key(tvb, pinfo, seen), to)
		local t = pk.frame(p, tvb, pinfo, tree, "block")
		local item = pk.add(t, f.length, tvb, 0, 4)
		if tvb(0, 4):uint() ~= len then
			pk.bad(p, pinfo, item, "the length is not the frame's")
			return
		end
		local at = 4
		if hard then
			pk.add(t, f.mark, tvb, 4, HEAD - 1)
			pk.add(t, f.kind, tvb, 4 + HEAD - 1, 1)
			at = 4 + HEAD
		end
		item = pk.add(t, f.block, tvb, at, hard and BLOCK or len)
		if hard and len == HEAD + BLOCK + SIG then
			pk.add(t, f.signature, tvb, at + BLOCK, SIG)
		end
		t:add(f.service, service):set_generated()
		t:add(f.to, to):set_generated()
		t:add(f.index, n):set_generated()
		pinfo.cols.info:append(" " .. n .. " to the " .. to .. " (" ..
		    service .. ")")
		if len ~= BLOCK and not hard then
			pk.bad(p, pinfo, item, "not one 256-byte RSA block")
		end
	end

	p.dissector = pk.dissector(p, pk.length_prefixed(HEAD + BLOCK + SIG),
	    dissect_frame)
end
