-- chat.lua: the chat protocol (seed 003, docs/chat.md), the relay's
-- port in chat.ports.  Every frame is a 4-byte big-endian length and its
-- payload.  The first two frames each way are the set-up: the user name
-- and the client's key to the relay, the relay's key and the wrapped
-- session key back; every later frame is a type byte and what that type
-- carries.  Steps and fields are docs/chat.md's "Fields on the wire", as
-- lib/chattrace.c names them; a PEM key gets its DER size and the SHA-256
-- fingerprint the trace gives it.  The session key is not on the wire:
-- the ciphertext stays ciphertext.  The hardened profile (docs/chat.md
-- "Profiles", "Fields on the wire, hardened profile") is known by its
-- first frame either way (the client's hello, `h` and 1; the relay's
-- key, `k` and SPKI DER): then every frame is a type byte and its
-- fields, the sealed ones a header (type, epoch, seq), the ciphertext
-- and GCM's tag.  Returns the function protokit.lua calls with the
-- helpers.

local dir = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"

local IV = 16
local NAME_MAX = 64
local TEXT_MAX = 4096
local FRAME_MAX = 1 + IV + TEXT_MAX
-- hardened: lib/chathard.h
local NONCE, EPOCH, SEQ, TAG = 32, 4, 8, 16
local HDR = 1 + EPOCH + SEQ
local H_FRAME_MAX = HDR + TAG + TEXT_MAX

-- text_ok(s, tab): s is UTF-8 without C0, DEL or C1 controls, a tab
-- allowed if tab (lib/chatwire.c's text_check).
local function text_ok(s, tab)
	local i = 1
	while i <= #s do
		local c = s:byte(i)
		local more = c < 0x80 and 0 or c >= 0xc2 and c <= 0xdf and 1 or
		    c >= 0xe0 and c <= 0xef and 2 or c >= 0xf0 and c <= 0xf4 and
		    3 or nil
		if more == nil or (c < 0x20 and not (tab and c == 9)) or
		    c == 0x7f or i + more > #s then
			return false
		end
		local cp = more == 0 and c or c % 2 ^ (6 - more)
		for j = i + 1, i + more do
			local d = s:byte(j)
			if d < 0x80 or d > 0xbf then
				return false
			end
			cp = cp * 64 + d % 64
		end
		if (more == 1 and cp <= 0x9f) or (more == 2 and (cp < 0x800 or
		    (cp >= 0xd800 and cp <= 0xdfff))) or
		    (more == 3 and (cp < 0x10000 or cp > 0x10ffff)) then
			return false
		end
		i = i + more + 1
	end
	return true
end

return function(pk)
	local pem = dofile(dir .. "pem.lua")
	local types = {[0x4d] = "'M': message", [0x4e] = "'N': notice",
	    [0x50] = "'P': keepalive", [0x68] = "'h': hello",
	    [0x6b] = "'k': server key", [0x63] = "'c': client key",
	    [0x77] = "'w': wrapped key", [0x6d] = "'m': message",
	    [0x6e] = "'n': notice", [0x72] = "'r': rekey"}
	local S, B = ftypes.STRING, ftypes.BYTES
	local p, f = pk.proto("chat", "protokit chat", {
		{"ports", "chat relay ports"},
	}, {
		{"length", ftypes.UINT32, base.DEC}, {"name", S},
		{"public_key", S}, {"wrapped_key", B},
		{"type", ftypes.UINT8, base.HEX, types}, {"iv", B},
		{"ciphertext", B}, {"text", S},
		{"der_length", ftypes.UINT32, base.DEC}, {"fingerprint", S},
		{"version", ftypes.UINT8, base.DEC}, {"nonce", B}, {"spki", B},
		{"epoch", ftypes.UINT32, base.DEC},
		{"wrapped_length", ftypes.UINT16, base.DEC}, {"signature", B},
		{"seq", ftypes.UINT64, base.DEC}, {"tag", B},
	})
	local tcp_stream = Field.new("tcp.stream")
	-- per connection (tcp.stream) the frames seen each way and its
	-- profile; per frame (pk.frame_key) its set-up step or "typed" or
	-- "sealed", and whether it is hardened, kept from the first pass
	local conns, memo, seen, hmemo = {}, {}, {}, {}

	function p.init()
		conns, memo, seen, hmemo = {}, {}, {}, {}
	end

	-- setup(key, up, s): the step of the frame whose payload starts
	-- with s: a set-up step, or "typed" (faithful), "sealed" (hardened).
	local function setup(key, up, s)
		if memo[key] == nil then
			local stream = tcp_stream().value
			local c = conns[stream] or {up = 0, down = 0}
			local way = up and "up" or "down"
			conns[stream] = c
			c[way] = c[way] + 1
			if c.hard == nil then
				c.hard = up and s:sub(1, 2) == "h\1" or
				    not up and s:sub(1, 2) == "k0"
			end
			if c.hard then
				memo[key] = (up and {"hello", "client_key"} or
				    {"server_key", "session_key"})[c[way]] or
				    "sealed"
			else
				memo[key] = (up and {"user_name", "client_key"} or
				    {"server_key", "wrapped_key"})[c[way]] or
				    "typed"
			end
			hmemo[key] = c.hard
		end
		return memo[key], hmemo[key]
	end

	-- typed_step(s): the step of a typed payload s, or nil.
	local function typed_step(s)
		local t, n = s:byte(1), #s
		if t == 0x4d and n > 1 + IV and n - 1 - IV <= TEXT_MAX then
			return "message"
		elseif t == 0x4e and n > 1 and text_ok(s:sub(2), true) then
			return "notice"
		elseif t == 0x50 and n == 1 then
			return "keepalive"
		end
	end

	local function typed(tvb, pinfo, tree, len)
		local s = tvb(4, len):raw()
		local step = typed_step(s)
		local t = pk.frame(p, tvb, pinfo, tree, step or "frame")
		pk.add(t, f.length, tvb, 0, 4)
		local item = pk.add(t, f.type, tvb, 4, 1)
		if step == "message" then
			pk.add(t, f.iv, tvb, 5, IV)
			pk.add(t, f.ciphertext, tvb, 5 + IV, len - 1 - IV)
		elseif step == "notice" then
			pk.add(t, f.text, tvb, 5, len - 1)
			pinfo.cols.info:append(": " .. s:sub(2))
		elseif step == nil then
			pk.bad(p, pinfo, item, "not a message, notice or keepalive")
		end
	end

	local function pem_key(t, pinfo, tvb, len)
		local item = pk.add(t, f.public_key, tvb, 4, len)
		local der = pem.decode(tvb(4, len):raw())
		if der == nil then
			pk.bad(p, pinfo, item, "not a PEM block")
			return
		end
		item:add(f.der_length, #der):set_generated()
		item:add(f.fingerprint, "sha256:" .. pem.sha256(der))
		    :set_generated()
	end

	-- hard[STEP](t, pinfo, tvb, len): a hardened set-up frame's fields.
	local hard = {}

	function hard.hello(t, pinfo, tvb, len)
		if len <= 2 + NONCE or tvb(5, 1):uint() ~= 1 then
			pk.bad(p, pinfo, t, "not 'h', version 1, a nonce and a name")
			return
		end
		pk.add(t, f.version, tvb, 5, 1)
		pk.add(t, f.nonce, tvb, 6, NONCE)
		local name = tvb(6 + NONCE, len - 2 - NONCE):raw()
		local item = pk.add(t, f.name, tvb, 6 + NONCE, #name)
		pinfo.cols.info:append(": " .. name)
		if #name > NAME_MAX or not text_ok(name) then
			pk.bad(p, pinfo, item, "not 1 to 64 bytes of printable UTF-8")
		end
	end

	local function spki(t, pinfo, tvb, len)
		local item = pk.add(t, f.spki, tvb, 5, len - 1)
		item:add(f.fingerprint, "sha256:" ..
		    pem.sha256(tvb(5, len - 1):raw())):set_generated()
	end
	hard.server_key, hard.client_key = spki, spki

	function hard.session_key(t, pinfo, tvb, len)
		local wl = len >= 7 and tvb(9, 2):uint() or 0
		if wl == 0 or 7 + wl >= len then
			pk.bad(p, pinfo, t,
			    "not 'w', epoch, a wrapped key and a signature")
			return
		end
		pk.add(t, f.epoch, tvb, 5, EPOCH)
		pk.add(t, f.wrapped_length, tvb, 9, 2)
		pk.add(t, f.wrapped_key, tvb, 11, wl)
		pk.add(t, f.signature, tvb, 11 + wl, len - 7 - wl)
	end

	-- sealed(tvb, pinfo, tree, len, up): a sealed frame, or a keepalive.
	local function sealed(tvb, pinfo, tree, len, up)
		local ty = tvb(4, 1):uint()
		local step = ({[0x6d] = "message", [0x6e] = "notice",
		    [0x72] = "rekey"})[ty]
		if up and ty == 0x50 and len == 1 then
			step = "keepalive"
		elseif up and ty ~= 0x6d or len < HDR + TAG then
			step = nil
		end
		local t = pk.frame(p, tvb, pinfo, tree, step or "frame")
		pk.add(t, f.length, tvb, 0, 4)
		local item = pk.add(t, f.type, tvb, 4, 1)
		if step == nil then
			pk.bad(p, pinfo, item, up and "not a sealed message" or
			    "not a sealed message, notice or rekey")
		elseif step ~= "keepalive" then
			pk.add(t, f.epoch, tvb, 5, EPOCH)
			pk.add(t, f.seq, tvb, 5 + EPOCH, SEQ)
			pk.add(t, f.ciphertext, tvb, 4 + HDR, len - HDR - TAG)
			pk.add(t, f.tag, tvb, 4 + len - TAG, TAG)
		end
	end

	local function dissect_frame(tvb, pinfo, tree)
		local len = tvb:len() - 4
		if tvb(0, 4):uint() ~= len or len == 0 then
			local t = pk.frame(p, tvb, pinfo, tree, "frame")
			pk.bad(p, pinfo, pk.add(t, f.length, tvb, 0, 4),
			    "the length is not that of the frame")
			return
		end
		local up = pk.in_prefs(p, "ports", pinfo.dst_port)
		local step, is_hard = setup(pk.frame_key(tvb, pinfo, seen), up,
		    tvb(4, math.min(len, 2)):raw())
		if step == "typed" then
			typed(tvb, pinfo, tree, len)
			return
		elseif step == "sealed" then
			sealed(tvb, pinfo, tree, len, up)
			return
		end
		local t = pk.frame(p, tvb, pinfo, tree, step)
		pk.add(t, f.length, tvb, 0, 4)
		if is_hard then
			local want = ({hello = 0x68, server_key = 0x6b,
			    client_key = 0x63, session_key = 0x77})[step]
			local item = pk.add(t, f.type, tvb, 4, 1)
			if tvb(4, 1):uint() ~= want then
				pk.bad(p, pinfo, item,
				    "not the type this step's frame has")
				return
			end
			hard[step](t, pinfo, tvb, len)
		elseif step == "user_name" then
			local item = pk.add(t, f.name, tvb, 4, len)
			pinfo.cols.info:append(": " .. tvb(4, len):raw())
			if len > NAME_MAX or not text_ok(tvb(4, len):raw()) then
				pk.bad(p, pinfo, item,
				    "not 1 to 64 bytes of printable UTF-8")
			end
		elseif step == "wrapped_key" then
			pk.add(t, f.wrapped_key, tvb, 4, len)
		else
			pem_key(t, pinfo, tvb, len)
		end
	end

	p.dissector = pk.dissector(p, pk.length_prefixed(H_FRAME_MAX),
	    dissect_frame)
end
