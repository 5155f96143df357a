-- chat.lua: the chat protocol (seed 003, docs/chat.md), the relay's
-- port in chat.ports.  Every frame is a 4-byte big-endian length and its
-- payload.  The first two frames each way are the set-up: the user name
-- and the client's key to the relay, the relay's key and the wrapped
-- session key back; every later frame is a type byte and what that type
-- carries.  Steps and fields are docs/chat.md's "Fields on the wire", as
-- lib/chattrace.c names them; a PEM key gets its DER size and the SHA-256
-- fingerprint the trace gives it.  The session key is not on the wire:
-- the ciphertext stays ciphertext.  Returns the function protokit.lua
-- calls with the helpers.

local dir = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"

local IV = 16
local NAME_MAX = 64
local TEXT_MAX = 4096
local FRAME_MAX = 1 + IV + TEXT_MAX

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
	    [0x50] = "'P': keepalive"}
	local S, B = ftypes.STRING, ftypes.BYTES
	local p, f = pk.proto("chat", "protokit chat", {
		{"ports", "chat relay ports"},
	}, {
		{"length", ftypes.UINT32, base.DEC}, {"name", S},
		{"public_key", S}, {"wrapped_key", B},
		{"type", ftypes.UINT8, base.HEX, types}, {"iv", B},
		{"ciphertext", B}, {"text", S},
		{"der_length", ftypes.UINT32, base.DEC}, {"fingerprint", S},
	})
	local tcp_stream = Field.new("tcp.stream")
	-- per connection (tcp.stream) the frames seen each way; per frame
	-- (pk.frame_key) its set-up step or "typed", kept from the first pass
	local conns, memo, seen = {}, {}, {}

	function p.init()
		conns, memo, seen = {}, {}, {}
	end

	-- setup(key, up): the frame's set-up step, or "typed".
	local function setup(key, up)
		if memo[key] == nil then
			local stream = tcp_stream().value
			local c = conns[stream] or {up = 0, down = 0}
			local way = up and "up" or "down"
			conns[stream] = c
			c[way] = c[way] + 1
			memo[key] = (up and {"user_name", "client_key"} or
			    {"server_key", "wrapped_key"})[c[way]] or "typed"
		end
		return memo[key]
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

	local function dissect_frame(tvb, pinfo, tree)
		local len = tvb:len() - 4
		if tvb(0, 4):uint() ~= len or len == 0 then
			local t = pk.frame(p, tvb, pinfo, tree, "frame")
			pk.bad(p, pinfo, pk.add(t, f.length, tvb, 0, 4),
			    "the length is not that of the frame")
			return
		end
		local step = setup(pk.frame_key(tvb, pinfo, seen),
		    pk.in_prefs(p, "ports", pinfo.dst_port))
		if step == "typed" then
			typed(tvb, pinfo, tree, len)
			return
		end
		local t = pk.frame(p, tvb, pinfo, tree, step)
		pk.add(t, f.length, tvb, 0, 4)
		if step == "user_name" then
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

	p.dissector = pk.dissector(p, pk.length_prefixed(FRAME_MAX),
	    dissect_frame)
end
