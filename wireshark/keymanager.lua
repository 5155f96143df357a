-- keymanager.lua: the key manager protocol (seed 000, docs/keymanager.md)
-- on two channels.  To a port of keymanager.ports, the relay: every
-- message one frame, a 4-byte big-endian length and its bytes (text, a
-- 64-byte confirmation, a 16-byte wrapped K or IV).  To a port of
-- keymanager.peer_ports, a waiter's own listener: the sender's offer (one
-- frame, the length block), the waiter's answer (one frame), then the
-- file's ciphertext raw, one `file` piece per TCP segment.  The steps and
-- fields are docs/keymanager.md's "Fields on the wire", named as
-- lib/kmtrace.c names them: a frame's step from its words, a 16-byte
-- answer's from the client's last command on that connection.  K, IV and
-- the plaintexts are not on the wire and are not shown.  The hardened
-- profile ("Fields on the wire, hardened profile") is told from its frames: the
-- client's `pubkey ` frame, the greeting's ` [hardened]` mark, a binary
-- answer to get key (K under OAEP), a `confirm ` frame with the MAC, a
-- 36-byte offer (nonce, sealed length, tag); its file is shown one
-- `file_hardened` ciphertext per TCP segment, the tags inside it (one
-- every 65552 bytes of the stream after the answer, and its last 16).
-- Returns the function protokit.lua calls with the helpers.

return function(pk)
	local B = ftypes.BYTES
	local p, f = pk.proto("keymanager", "protokit keymanager", {
		{ "ports", "keymanager relay ports" },
		{ "peer_ports", "keymanager peer channel (waiter) ports" },
	}, {
		{ "length", ftypes.UINT32, base.DEC }, { "text", ftypes.STRING },
		{ "wrapped_k", B }, { "wrapped_iv", B },
		{ "confirmation", B }, { "size_block", B },
		{ "ciphertext", B }, { "bytes", B },
		{ "word", ftypes.STRING }, { "public_key", B },
		{ "oaep_k", B }, { "mac", B },
		{ "nonce", B }, { "size_ct", B }, { "tag", B },
	})
	local tcp_stream = Field.new("tcp.stream")
	local framed = pk.length_prefixed(4096)
	-- per connection (tcp.stream): the client's last command, whether
	-- the offer was made; per frame (number:offset) what they said on
	-- the first pass, so that any later pass dissects alike
	local last, offered, memo, hardened = {}, {}, {}, {}

	local function remember(key, now)
		if memo[key] == nil then
			memo[key] = now()
		end
		return memo[key]
	end

	local function stream()
		return tcp_stream().value
	end

	-- client_step(s): the step of a client's message s (kmwire's parse).
	local function client_step(s)
		if #s > 7 and s:sub(1, 7) == "pubkey " then
			return "pubkey"
		end
		if #s == 40 and s:sub(1, 8) == "confirm " then
			return "confirm_hardened"
		end
		if #s == 64 then
			return "confirm"
		end
		if s:find("[^\32-\126]") then
			return "binary"
		end
		local plain = {
			send = "send", ["get key"] = "get_key",
			["get iv"] = "get_iv", start = "start", ["end"] = "end",
		}
		local dec = "^[1-9]%d*$"
		if plain[s] then
			return plain[s]
		end
		local port = s:match("^wait (.*)$")
		if port and (port:match(dec) and tonumber(port) <= 65535) then
			return "wait"
		end
		local n = s:match("^size (.*)$")
		if n and (n == "0" or n:match(dec)) and #n <= 20 then
			return "size"
		end
		local id, mode = s:match("^conn (%S+) (%S+)$")
		if id and (id == "0" or id:match(dec)) and #id <= 10 and
		    tonumber(id) <= 4294967295 and
		    (mode == "cbc" or mode == "cfb") then
			return "conn"
		end
		return "text"
	end

	-- server_step(s): the step of what the key manager says.
	local function server_step(s)
		if s:find("^Hello client #.* %[hardened%]$") then
			return "hello_hardened"
		end
		local said = {
			{ "^Hello client #", "hello" },
			{ "^select a peer", "waiters" },
			{ "^No waiters at the moment%. Try again later%.$",
			    "waiters" },
			{ "^cbc$", "mode" }, { "^cfb$", "mode" },
			{ "^start$", "start" },
			{ "^I will notify your peer$", "notify" },
			{ "^send_data ", "send_data" },
			{ "^alles gut$", "verdict" },
			{ "^sizes don't match$", "verdict" },
			{ "^key error$", "error" }, { "^peer error", "error" },
			{ "^peer key error$", "error" },
			{ "^unexpected command$", "error" },
		}
		for _, d in ipairs(said) do
			if s:find(d[1]) then
				return d[2]
			end
		end
		return "text"
	end

	-- words(t, pinfo, tvb, len): the payload as text, or malformed.
	local function words(t, pinfo, tvb, len)
		if tvb(4, len):string():find("[^\10\32-\126]") then
			pk.bad(p, pinfo, pk.add(t, f.bytes, tvb, 4, len),
			    "binary where text was expected")
		else
			pk.add(t, f.text, tvb, 4, len)
		end
	end

	-- relay(tvb, pinfo, tree, len): a frame on a client's connection.
	local function relay(tvb, pinfo, tree, len, where)
		local s = tvb(4, len):string()
		local conn = stream()
		if pk.in_prefs(p, "ports", pinfo.dst_port) then
			local step = client_step(s)
			remember(where, function()
				last[conn] = step
				return step
			end)
			local t = pk.frame(p, tvb, pinfo, tree, step)
			pk.add(t, f.length, tvb, 0, 4)
			local n = ({ pubkey = 7, confirm_hardened = 8 })[step]
			if step == "confirm" then
				pk.add(t, f.confirmation, tvb, 4, 64)
			elseif n then
				pk.add(t, f.word, tvb, 4, n)
				pk.add(t, step == "pubkey" and f.public_key or f.mac,
				    tvb, 4 + n, len - n)
			else
				words(t, pinfo, tvb, len)
			end
			return
		end
		local asked = remember(where, function()
			local was = last[conn]
			last[conn] = nil
			return was or ""
		end)
		if len == 16 and (asked == "get_key" or asked == "get_iv") then
			local iv = asked == "get_iv"
			local t = pk.frame(p, tvb, pinfo, tree, iv and "iv" or "key")
			pk.add(t, f.length, tvb, 0, 4)
			pk.add(t, iv and f.wrapped_iv or f.wrapped_k, tvb, 4, 16)
			return
		end
		if len ~= 16 and asked == "get_key" and
		    s:find("[^\10\32-\126]") then
			local t = pk.frame(p, tvb, pinfo, tree, "key_hardened")
			pk.add(t, f.length, tvb, 0, 4)
			pk.add(t, f.oaep_k, tvb, 4, len)
			return
		end
		local t = pk.frame(p, tvb, pinfo, tree, server_step(s))
		pk.add(t, f.length, tvb, 0, 4)
		words(t, pinfo, tvb, len)
	end

	-- to_waiter(pinfo): whether the frame goes from sender to waiter.
	local function to_waiter(pinfo)
		return pk.in_prefs(p, "peer_ports", pinfo.dst_port)
	end

	-- raw(where): whether the sender's bytes there are the file.
	local function raw(where)
		local conn = stream()
		return remember("raw" .. where, function()
			return offered[conn] == true
		end)
	end

	local function peer(tvb, pinfo, tree, len)
		if not to_waiter(pinfo) then
			local t = pk.frame(p, tvb, pinfo, tree, "answer")
			pk.add(t, f.length, tvb, 0, 4)
			words(t, pinfo, tvb, len)
			return
		end
		offered[stream()] = true
		if len == 36 then
			hardened[stream()] = true
			local t = pk.frame(p, tvb, pinfo, tree, "offer_hardened")
			pk.add(t, f.length, tvb, 0, 4)
			pk.add(t, f.nonce, tvb, 4, 12)
			pk.add(t, f.size_ct, tvb, 16, 8)
			pk.add(t, f.tag, tvb, 24, 16)
			return
		end
		local t = pk.frame(p, tvb, pinfo, tree, "offer")
		pk.add(t, f.length, tvb, 0, 4)
		if len ~= 16 then
			pk.bad(p, pinfo, pk.add(t, f.bytes, tvb, 4, len),
			    "the length block is not one block")
		else
			pk.add(t, f.size_block, tvb, 4, 16)
		end
	end

	local function on_peer(pinfo)
		return pk.in_prefs(p, "peer_ports", pinfo.src_port) or
		    pk.in_prefs(p, "peer_ports", pinfo.dst_port)
	end

	local function frame_len(tvb, pinfo, off)
		if on_peer(pinfo) and to_waiter(pinfo) and
		    raw(pk.where(tvb, pinfo, off)) then
			return tvb:len() - off
		end
		return framed(tvb, pinfo, off)
	end

	local function dissect_frame(tvb, pinfo, tree, where)
		if on_peer(pinfo) and to_waiter(pinfo) and raw(where) and
		    hardened[stream()] then
			local t = pk.frame(p, tvb, pinfo, tree, "file_hardened")
			pk.add(t, f.ciphertext, tvb, 0, tvb:len())
			return
		end
		if on_peer(pinfo) and to_waiter(pinfo) and raw(where) then
			local t = pk.frame(p, tvb, pinfo, tree, "file")
			local item = pk.add(t, f.ciphertext, tvb, 0, tvb:len())
			if tvb:len() % 16 ~= 0 then
				pk.bad(p, pinfo, item, "not whole blocks")
			end
			return
		end
		local len = tvb:len() - 4
		if tvb(0, 4):uint() ~= len or len == 0 then
			local t = pk.frame(p, tvb, pinfo, tree, "binary")
			pk.bad(p, pinfo, pk.add(t, f.length, tvb, 0, 4),
			    "the length is not the payload's")
			return
		end
		if on_peer(pinfo) then
			peer(tvb, pinfo, tree, len)
		else
			relay(tvb, pinfo, tree, len, where)
		end
	end

	p.dissector = pk.dissector(p, frame_len, dissect_frame)
end
