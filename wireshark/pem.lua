-- pem.lua: just enough PEM, DER and SHA-256 for the chat and ca
-- dissectors to say what the trace says of a PEM key, request or
-- certificate: its DER size, its subject's CN and the SHA-256 of its
-- SubjectPublicKeyInfo, the fingerprint `openssl pkey -pubin -outform DER
-- | sha256sum` prints (lib/trace.c, lib/catrace.c).  Lua 5.2 (Wireshark
-- 4.0): bit32.  Returns the table; loaded on its own it registers nothing.

local der = {}

-- The DER bytes (a Lua string) under a PEM block's base64, or nil.
function der.decode(text)
	local b64 = text:match("^%-%-%-%-%-BEGIN [^-]+%-%-%-%-%-\r?\n(.-)" ..
	    "%-%-%-%-%-END [^-]+%-%-%-%-%-\r?\n?$")
	if b64 == nil then
		return nil
	end
	b64 = b64:gsub("%s", "")
	if #b64 == 0 or #b64 % 4 ~= 0 or b64:find("[^%w+/=]") then
		return nil
	end
	return ByteArray.new(b64, true):base64_decode():raw()
end

local band, bor, bxor, bnot = bit32.band, bit32.bor, bit32.bxor, bit32.bnot
local rrot, rshift = bit32.rrotate, bit32.rshift

local K = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

-- One 64-byte block of s from i on into the state h.
local function block(h, s, i)
	local w = {}
	for t = 0, 15 do
		local a, b, c, d = s:byte(i + 4 * t, i + 4 * t + 3)
		w[t] = ((a * 256 + b) * 256 + c) * 256 + d
	end
	for t = 16, 63 do
		local x, y = w[t - 15], w[t - 2]
		local s0 = bxor(rrot(x, 7), rrot(x, 18), rshift(x, 3))
		local s1 = bxor(rrot(y, 17), rrot(y, 19), rshift(y, 10))
		w[t] = band(w[t - 16] + s0 + w[t - 7] + s1, 0xffffffff)
	end
	local a, b, c, d, e, f, g, hh = h[1], h[2], h[3], h[4], h[5], h[6],
	    h[7], h[8]
	for t = 0, 63 do
		local s1 = bxor(rrot(e, 6), rrot(e, 11), rrot(e, 25))
		local ch = bxor(band(e, f), band(bnot(e), g))
		local t1 = hh + s1 + ch + K[t + 1] + w[t]
		local s0 = bxor(rrot(a, 2), rrot(a, 13), rrot(a, 22))
		local maj = bxor(band(a, b), band(a, c), band(b, c))
		hh, g, f, e = g, f, e, band(d + t1, 0xffffffff)
		d, c, b, a = c, b, a, band(t1 + s0 + maj, 0xffffffff)
	end
	local v = {a, b, c, d, e, f, g, hh}
	for t = 1, 8 do
		h[t] = band(h[t] + v[t], 0xffffffff)
	end
end

-- SHA-256 of the Lua string s, as 64 hex digits.
function der.sha256(s)
	local h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f,
	    0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
	local bits = #s * 8
	s = s .. "\128" .. string.rep("\0", (55 - #s) % 64)
	local tail = {}
	for t = 7, 0, -1 do
		tail[#tail + 1] = string.char(math.floor(bits / 2 ^ (8 * t)) % 256)
	end
	s = s .. table.concat(tail)
	for i = 1, #s, 64 do
		block(h, s, i)
	end
	local out = {}
	for t = 1, 8 do
		out[t] = string.format("%08x", h[t])
	end
	return table.concat(out)
end

-- The TLV at i (1-based) in the string s: tag, start of the value,
-- value length, next i; nil if it runs past the end.
function der.tlv(s, i)
	local tag, n = s:byte(i, i + 1)
	if n == nil then
		return nil
	end
	local at = i + 2
	if n >= 0x80 then
		local k = n - 0x80
		if k == 0 or k > 3 or at + k - 1 > #s then
			return nil
		end
		n = 0
		for j = at, at + k - 1 do
			n = n * 256 + s:byte(j)
		end
		at = at + k
	end
	if at + n - 1 > #s then
		return nil
	end
	return tag, at, n, at + n
end

-- The children of the constructed TLV whose value is s[at..at+n).
local function children(s, at, n)
	local list, i = {}, at
	while i < at + n do
		local tag, vat, vn, nxt = der.tlv(s, i)
		if tag == nil or nxt > at + n then
			return nil
		end
		list[#list + 1] = {tag = tag, i = i, at = vat, n = vn}
		i = nxt
	end
	return list
end

-- The CN in a Name's TLV, or "".
local function cn(s, name)
	for _, rdn in ipairs(children(s, name.at, name.n) or {}) do
		for _, atv in ipairs(children(s, rdn.at, rdn.n) or {}) do
			local kv = children(s, atv.at, atv.n) or {}
			if #kv == 2 and s:sub(kv[1].at, kv[1].at + kv[1].n - 1) ==
			    "\85\4\3" then
				return s:sub(kv[2].at, kv[2].at + kv[2].n - 1)
			end
		end
	end
	return ""
end

--[[
der.subject(s, csr): of the DER request (csr) or certificate s, a table
{cn = subject CN, spki = the SubjectPublicKeyInfo's bytes}, or nil.
]]
function der.subject(s, csr)
	local tag, at, n, nxt = der.tlv(s, 1)
	if tag ~= 0x30 or nxt ~= #s + 1 then
		return nil
	end
	local top = children(s, at, n)
	if top == nil or top[1] == nil or top[1].tag ~= 0x30 then
		return nil
	end
	local info = children(s, top[1].at, top[1].n)
	if info == nil then
		return nil
	end
	-- request: version, subject, spki; certificate: [0] version,
	-- serial, signature, issuer, validity, subject, spki
	local k = 2
	if not csr then
		k = info[1] and info[1].tag == 0xa0 and 6 or 5
	end
	local name, spki = info[k], info[k + 1]
	if name == nil or spki == nil or name.tag ~= 0x30 or
	    spki.tag ~= 0x30 then
		return nil
	end
	return {cn = cn(s, name), spki = s:sub(spki.i, spki.at + spki.n - 1)}
end

return der
