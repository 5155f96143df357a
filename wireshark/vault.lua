-- vault.lua: the vault protocol (seed 001, docs/vault.md), one frame per
-- request (23-byte header) or response (7-byte header) and its payload,
-- every integer little-endian.  A frame to a port of vault.ports is a
-- request, from one a response.  The fields and steps are those of
-- docs/vault.md's "Fields on the wire" (lib/vaulttrace.c names them so in
-- the trace); the plaintext is not on the wire and is not shown.  A frame
-- of version 4 is the hardened profile's: its 828, 829, 900-902, 1603 and
-- 1608 as docs/vault.md's "Fields on the wire, hardened profile" has them.
-- Returns the function protokit.lua calls with the helpers.

return function(pk)
	local codes = {
		[825] = "register", [826] = "send_public_key",
		[827] = "reconnect", [828] = "send_file", [900] = "crc_ok",
		[901] = "crc_retry", [902] = "crc_fail", [1600] = "registered",
		[1601] = "name_taken", [1602] = "aes_key",
		[1603] = "file_received", [1604] = "thanks",
		[1605] = "reconnect_approved", [1606] = "reconnect_denied",
		[1607] = "server_error",
	}
	-- the hardened profile's own steps (version 4)
	local hcodes = {
		[828] = "send_file_hardened", [829] = "reconnect_proof",
		[900] = "receipt_ok", [901] = "receipt_retry",
		[902] = "receipt_fail", [1603] = "file_received_hardened",
		[1608] = "reconnect_challenge",
	}
	-- each code's payload: {field, offset, size, kind}, in wire order;
	-- kind u16/u32 (little-endian), name (text and NUL padding),
	-- content (828's ciphertext and zero fill), bytes
	local name = { { "name", 0, 255, "name" } }
	local file = { { "file_name", 0, 255, "name" } }
	local id = { { "client_id", 0, 16, "bytes" } }
	local key = { id[1], { "wrapped_aes_key", 16, 128, "bytes" } }
	local layout = {
		[825] = name, [827] = name,
		[826] = { name[1], { "public_key", 255, 160, "bytes" } },
		[828] = {
			{ "content_size", 0, 4, "u32" },
			{ "orig_file_size", 4, 4, "u32" },
			{ "packet_number", 8, 2, "u16" },
			{ "total_packets", 10, 2, "u16" },
			{ "file_name", 12, 255, "name" },
			{ "content", 267, 1024, "content" },
		},
		[900] = file, [901] = file, [902] = file,
		[1600] = id, [1601] = {}, [1602] = key, [1604] = id,
		[1603] = {
			id[1], { "content_size", 16, 4, "u32" },
			{ "file_name", 20, 255, "name" },
			{ "cksum", 275, 4, "u32" },
		},
		[1605] = key, [1606] = id, [1607] = {},
	}
	local hlayout = {
		[828] = {
			{ "content_size", 0, 4, "u32" },
			{ "orig_file_size", 4, 4, "u32" },
			{ "packet_number", 8, 2, "u16" },
			{ "total_packets", 10, 2, "u16" },
			{ "file_name", 12, 255, "name" },
			{ "nonce", 267, 12, "bytes" },
			{ "content", 279, 1024, "content" },
			{ "tag", 1303, 16, "bytes" },
		},
		[829] = { name[1], { "signature", 255, 128, "bytes" } },
		[1603] = {
			id[1], { "content_size", 16, 4, "u32" },
			{ "file_name", 20, 255, "name" },
			{ "receipt", 275, 32, "bytes" },
		},
		[1608] = { id[1], { "challenge", 16, 32, "bytes" } },
	}
	local B, U = ftypes.BYTES, ftypes.UINT32
	local p, f = pk.proto("vault", "protokit vault", {
		{ "ports", "vault relay ports" },
	}, {
		{ "client_id", B }, { "version", ftypes.UINT8, base.DEC },
		{ "code", ftypes.UINT16, base.DEC, codes },
		{ "payload_size", U, base.DEC }, { "name", ftypes.STRING },
		{ "name_padding", B }, { "public_key", B },
		{ "content_size", U, base.DEC },
		{ "orig_file_size", U, base.DEC },
		{ "packet_number", ftypes.UINT16, base.DEC },
		{ "total_packets", ftypes.UINT16, base.DEC },
		{ "file_name", ftypes.STRING }, { "file_name_padding", B },
		{ "content", B }, { "zero_fill", B },
		{ "wrapped_aes_key", B }, { "cksum", U, base.DEC },
		{ "nonce", B }, { "tag", B }, { "receipt", B },
		{ "challenge", B }, { "signature", B },
	})

	-- header(pinfo): the header's length and where the payload size is.
	local function header(pinfo)
		if pk.in_prefs(p, "ports", pinfo.dst_port) then
			return 23, 19
		end
		return 7, 3
	end

	local function frame_len(tvb, pinfo, off)
		local hdr, at = header(pinfo)
		if tvb:len() - off < hdr then
			return nil
		end
		local size = tvb(off + at, 4):le_uint()
		-- a size no code has (the relay drops the client): the rest;
		-- the largest is a hardened 828's
		if size > 1319 then
			return tvb:len() - off
		end
		return hdr + size
	end

	-- name_field(t, tvb, d, off): a name's text and its NUL padding.
	local function name_field(t, pinfo, tvb, d, off)
		local n = 0
		while n < 255 and tvb(off + n, 1):uint() ~= 0 do
			n = n + 1
		end
		local item = pk.add(t, f[d[1]], tvb, off, n)
		if n == 0 or n == 255 then
			pk.bad(p, pinfo, item, "name empty or not NUL-terminated")
		end
		if n < 255 then
			pk.add(t, f[d[1] .. "_padding"], tvb, off + n, 255 - n)
		end
	end

	-- content(t, pinfo, tvb, hdr, off): an 828's share of the
	-- ciphertext, the last packet's shorter and followed by zeros.
	local function content(t, pinfo, tvb, hdr, off)
		local size = tvb(hdr, 4):le_uint()
		local number = tvb(hdr + 8, 2):le_uint()
		local total = math.floor((size + 1023) / 1024)
		local n = 1024
		if total == 0 or tvb(hdr + 10, 2):le_uint() ~= total % 65536 then
			pk.bad(p, pinfo, t,
			    "total_packets does not match content_size")
		elseif number == (total - 1) % 65536 then
			n = size - (total - 1) * 1024
		end
		pk.add(t, f.content, tvb, off, n)
		if n < 1024 then
			pk.add(t, f.zero_fill, tvb, off + n, 1024 - n)
		end
	end

	local function payload(t, pinfo, tvb, fields, hdr)
		for _, d in ipairs(fields) do
			local off = hdr + d[2]
			if d[4] == "name" then
				name_field(t, pinfo, tvb, d, off)
			elseif d[4] == "content" then
				content(t, pinfo, tvb, hdr, off)
			else
				pk.add(t, f[d[1]], tvb, off, d[3], d[4] ~= "bytes")
			end
		end
	end

	local function dissect_frame(tvb, pinfo, tree)
		local hdr, at = header(pinfo)
		local request = hdr == 23
		local code = tvb(hdr - 6, 2):le_uint()
		local version = tvb(hdr - 7, 1):uint()
		local fields, step = layout[code], codes[code]
		if version == 4 then
			fields = hlayout[code] or fields
			step = hcodes[code] or step
		end
		local t = pk.frame(p, tvb, pinfo, tree, step or "unknown")
		if request then
			pk.add(t, f.client_id, tvb, 0, 16)
		end
		local v = pk.add(t, f.version, tvb, hdr - 7, 1)
		if version ~= 3 and version ~= 4 then
			pk.bad(p, pinfo, v,
			    "version is not 3 (faithful) or 4 (hardened)")
		end
		pk.add(t, f.code, tvb, hdr - 6, 2, true)
		local s = pk.add(t, f.payload_size, tvb, at, 4, true)
		local size = tvb(at, 4):le_uint()
		local last = fields and fields[#fields]
		local want = last and last[2] + last[3] or 0
		if fields == nil or request ~= (code < 1000) then
			pk.bad(p, pinfo, t, "not a code of this direction")
		elseif size ~= want or tvb:len() ~= hdr + size then
			pk.bad(p, pinfo, s, "payload_size is not the code's")
		else
			payload(t, pinfo, tvb, fields, hdr)
		end
	end

	p.dissector = pk.dissector(p, frame_len, dissect_frame)
end
