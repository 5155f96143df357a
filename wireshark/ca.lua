-- ca.lua: the ca protocol (seed 005, docs/ca.md), the CA's port in
-- ca.ports, and its peer chat, the listening peers' ports in
-- ca.peer_ports.  Every frame is a 4-byte big-endian length and its
-- payload.  A frame from the CA is named by its text (a prompt, a
-- certificate, another answer); a frame to the CA by the last prompt it
-- answers or, after Welcome, by its request word.  A request or
-- certificate gets its DER size, its CN and the SHA-256 of its key as the
-- trace gives them, and a certificate Wireshark's own X.509 tree.  The
-- peer chat sends three frames per message: ciphertext, IV, wrapped
-- password.  The hardened profile's "login NAME" and "register NAME" are
-- known by their words, its chat by the key frame's magic, after which
-- each frame is a message or the end.  Steps and fields are docs/ca.md's
-- "Fields on the wire" and "Fields on the wire, hardened profile", as
-- lib/catrace.c names them.  Returns the function protokit.lua calls
-- with the helpers.

local dir = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"

local NAME_MAX = 64
local FRAME_MAX = 24 * 1024 + 256
local CHAT_IV = 16
local H_MAGIC = "pk-ca-h1" -- opens the hardened chat's key frame
local H_NONCE, H_SEQ, H_TAG = 12, 8, 16

-- The CA's prompts: what each means and what the client answers next.
local prompts = {
	["Please Enter your username"] = {"asks the user name", "user"},
	["Enter password"] = {"asks the password", "password"},
	["incorrect password! try again"] =
	    {"wrong password: asks it again", "password"},
	["Welcome"] = {"signed in: requests may follow", "ops"},
	["Username not found!\nto sign up send \"r\", or send \"c\" to " ..
	    "close connection"] = {"unknown user: r signs up, c closes",
	    "choice"},
	["please choose a username"] = {"asks a new user name", "new-user"},
	["please choose a password, min length = 3"] =
	    {"asks the new password", "new-password"},
	["username already taken"] =
	    {"refused: the name is taken", "new-user"},
	["invalid username: 1 to 64 of A-Z a-z 0-9 . _ -"] =
	    {"refused: not a safe name", "new-user"},
	["Please Enter your username: login NAME or register NAME " ..
	    "[hardened]"] = {"hardened: asks login NAME or register NAME",
	    "user"},
	["registered if the name was free: now login NAME"] =
	    {"hardened: the same whether the name was free or not", "user"},
}

-- The hardened client's first answers: step and word.
local hardened_words = {{"login", "login "}, {"register", "register "}}

-- What a client's frame before Welcome answers: the step's field.
local answers = {user = "name", password = "password", choice = "choice",
    ["new-user"] = "name", ["new-password"] = "password"}

local chat_steps = {"chat-ciphertext", "chat-iv", "chat-password"}

-- lib/x509.c's x509_cn_safe: 1 to 64 of [A-Za-z0-9._-], no . or - first.
local function safe(name)
	return #name >= 1 and #name <= NAME_MAX and
	    name:find("^[%w_][%w._-]*$") ~= nil
end

-- request(s): a request's word (upper case), name and body, or nil.
local function request(s)
	local word, name, body = s:match("^([^ \n]*) ([^\n]*)\n(.*)$")
	local op = word and ({CSR = 1, CERTUP = 1, CERTREQ = 1})[word:upper()]
	if op == nil or not safe(name) or #body == 0 or
	    (word:upper() == "CERTREQ" and not safe(body)) then
		return nil
	end
	return word, name, body
end

return function(pk)
	local pem = dofile(dir .. "pem.lua")
	local S, B = ftypes.STRING, ftypes.BYTES
	local p, f = pk.proto("ca", "protokit ca", {
		{"ports", "ca (the CA's) ports"},
		{"peer_ports", "ca peer chat (listening peers') ports"},
	}, {
		{"length", ftypes.UINT32, base.DEC}, {"text", S}, {"name", S},
		{"password", S}, {"choice", S}, {"type", S}, {"space", S},
		{"newline", S}, {"id", S}, {"csr", S}, {"certificate", S},
		{"request", S}, {"ciphertext", B}, {"iv", B}, {"wrapped", B},
		{"der_length", ftypes.UINT32, base.DEC}, {"cn", S},
		{"fingerprint", S}, {"word", S}, {"magic", S}, {"nonce", B},
		{"kind", S}, {"seq", ftypes.UINT64, base.DEC}, {"tag", B},
	})
	local cert = Dissector.get("application/pkix-cert")
	local tcp_stream = Field.new("tcp.stream")
	-- per connection (tcp.stream) what the client answers next, or the
	-- peer chat's frame count; per frame (pk.frame_key) what that was on the
	-- first pass
	local conns, memo, seen = {}, {}, {}

	function p.init()
		conns, memo, seen = {}, {}, {}
	end

	-- state(key, chat, up, s): on the peer chat, the frame's place in
	-- its message (1..3), or "hardened" once the key frame came; else,
	-- for a client's frame, what it answers.
	local function state(key, chat, up, s)
		if memo[key] == nil then
			local stream = tcp_stream().value
			local c = conns[stream] or {at = "user", chat = 0}
			conns[stream] = c
			if chat and (c.hardened or s:sub(1, #H_MAGIC) == H_MAGIC)
			    then
				c.hardened = true
				memo[key] = "hardened"
			elseif chat then
				c.chat = c.chat % 3 + 1
				memo[key] = c.chat
			elseif up then
				memo[key] = c.at
			else
				c.at = prompts[s] and prompts[s][2] or c.at
				memo[key] = ""
			end
		end
		return memo[key]
	end

	-- A PEM request or certificate from off to the end of the frame.
	local function pem_item(t, pinfo, tvb, off, csr)
		local len = tvb:len() - off
		local item = pk.add(t, csr and f.csr or f.certificate, tvb, off,
		    len)
		local der = pem.decode(tvb(off, len):raw())
		local subject = der and pem.subject(der, csr)
		if subject == nil then
			pk.bad(p, pinfo, item, csr and
			    "not a PEM certification request" or
			    "not a PEM certificate")
			return
		end
		item:add(f.der_length, #der):set_generated()
		item:add(f.cn, subject.cn):set_generated()
		item:add(f.fingerprint, "sha256:" .. pem.sha256(subject.spki))
		    :set_generated()
		pinfo.cols.info:append(" CN=" .. subject.cn .. ", DER " .. #der)
		if not csr and cert ~= nil then
			-- Wireshark's X.509 tree under ours, the columns ours
			local info = tostring(pinfo.cols.info)
			local der_tvb = ByteArray.new(der, true):tvb("DER")
			pcall(cert.call, cert, der_tvb, pinfo, item)
			pinfo.cols.info:set(info)
			pinfo.cols.protocol:set("ca")
		end
	end

	local function from_ca(tvb, pinfo, tree, s)
		local step = prompts[s] and "prompt" or
		    s:sub(1, 27) == "-----BEGIN CERTIFICATE-----" and
		    "certificate" or "answer"
		local t = pk.frame(p, tvb, pinfo, tree, step)
		pk.add(t, f.length, tvb, 0, 4)
		if step == "certificate" then
			pem_item(t, pinfo, tvb, 4, false)
			return
		end
		local item = pk.add(t, f.text, tvb, 4, #s)
		if prompts[s] then
			item:append_text(" (" .. prompts[s][1] .. ")")
		end
		pinfo.cols.info:append(": " .. s:gsub("\n", " "))
	end

	-- The hardened "login NAME" or "register NAME"; false if not one.
	local function hardened_user(tvb, pinfo, tree, s)
		for _, w in ipairs(hardened_words) do
			if s:sub(1, #w[2]) == w[2] then
				local t = pk.frame(p, tvb, pinfo, tree, w[1])
				pk.add(t, f.length, tvb, 0, 4)
				pk.add(t, f.word, tvb, 4, #w[2])
				if #s > #w[2] then
					pk.add(t, f.name, tvb, 4 + #w[2],
					    #s - #w[2])
					pinfo.cols.info:append(": " ..
					    s:sub(#w[2] + 1))
				else
					pk.bad(p, pinfo, t, "no name")
				end
				return true
			end
		end
		return false
	end

	local function to_ca(tvb, pinfo, tree, s, at)
		if at == "user" and hardened_user(tvb, pinfo, tree, s) then
			return
		end
		if at ~= "ops" then
			local t = pk.frame(p, tvb, pinfo, tree, at)
			pk.add(t, f.length, tvb, 0, 4)
			pk.add(t, f[answers[at]], tvb, 4, #s)
			if answers[at] ~= "password" then
				pinfo.cols.info:append(": " .. s)
			end
			return
		end
		local word, name, body = request(s)
		local t = pk.frame(p, tvb, pinfo, tree, word and word:upper() or
		    "request")
		local item = pk.add(t, f.length, tvb, 0, 4)
		if word == nil then
			pk.bad(p, pinfo, pk.add(t, f.request, tvb, 4, #s),
			    "not \"CSR|CERTUP|CERTREQ name\\nbody\"")
			return
		end
		pk.add(t, f.type, tvb, 4, #word)
		pk.add(t, f.space, tvb, 4 + #word, 1)
		pk.add(t, f.name, tvb, 5 + #word, #name)
		pk.add(t, f.newline, tvb, 5 + #word + #name, 1)
		pinfo.cols.info:append(": " .. name)
		if word:upper() == "CERTREQ" then
			pk.add(t, f.id, tvb, 6 + #word + #name, #body)
			pinfo.cols.info:append(" asks for " .. body)
		else
			pem_item(t, pinfo, tvb, 6 + #word + #name,
			    word:upper() == "CSR")
		end
	end

	local function chat(tvb, pinfo, tree, len, n)
		local t = pk.frame(p, tvb, pinfo, tree, chat_steps[n])
		pk.add(t, f.length, tvb, 0, 4)
		local item = pk.add(t, ({f.ciphertext, f.iv, f.wrapped})[n], tvb,
		    4, len)
		if n == 1 and len % 16 ~= 0 then
			pk.bad(p, pinfo, item, "not whole AES blocks")
		elseif n == 2 and len ~= CHAT_IV then
			pk.bad(p, pinfo, item, "an IV is 16 bytes")
		end
	end

	-- The hardened chat: the key frame, then messages and the end.
	local function hchat(tvb, pinfo, tree, len, s)
		if s:sub(1, #H_MAGIC) == H_MAGIC then
			local t = pk.frame(p, tvb, pinfo, tree, "chat-key")
			pk.add(t, f.length, tvb, 0, 4)
			pk.add(t, f.magic, tvb, 4, #H_MAGIC)
			if len <= #H_MAGIC + H_NONCE then
				pk.bad(p, pinfo, t, "no wrapped key")
				return
			end
			pk.add(t, f.nonce, tvb, 4 + #H_MAGIC, H_NONCE)
			pk.add(t, f.wrapped, tvb, 4 + #H_MAGIC + H_NONCE,
			    len - #H_MAGIC - H_NONCE)
			return
		end
		local kind = s:sub(1, 1)
		local t = pk.frame(p, tvb, pinfo, tree, kind == "l" and
		    "chat-end" or "chat-message")
		pk.add(t, f.length, tvb, 0, 4)
		local head = 1 + H_SEQ
		if (kind ~= "p" and kind ~= "l") or len < head + H_TAG or
		    (kind == "l" and len ~= head + H_TAG) then
			pk.bad(p, pinfo, t, "not a hardened chat frame")
			return
		end
		pk.add(t, f.kind, tvb, 4, 1)
		pk.add(t, f.seq, tvb, 5, H_SEQ)
		if kind == "p" then
			pk.add(t, f.ciphertext, tvb, 4 + head, len - head - H_TAG)
		end
		pk.add(t, f.tag, tvb, 4 + len - H_TAG, H_TAG)
	end

	local function dissect_frame(tvb, pinfo, tree)
		local len = tvb:len() - 4
		if tvb(0, 4):uint() ~= len or len == 0 then
			local t = pk.frame(p, tvb, pinfo, tree, "frame")
			pk.bad(p, pinfo, pk.add(t, f.length, tvb, 0, 4),
			    len == 0 and "an empty frame" or
			    "the length is not the frame's")
			return
		end
		local on_chat = pk.in_prefs(p, "peer_ports", pinfo.dst_port) or
		    pk.in_prefs(p, "peer_ports", pinfo.src_port)
		local up = pk.in_prefs(p, "ports", pinfo.dst_port)
		local s = tvb(4, len):raw()
		local at = state(pk.frame_key(tvb, pinfo, seen), on_chat, up,
		    s)
		if on_chat and at == "hardened" then
			hchat(tvb, pinfo, tree, len, s)
		elseif on_chat then
			chat(tvb, pinfo, tree, len, at)
		elseif up then
			to_ca(tvb, pinfo, tree, s, at)
		else
			from_ca(tvb, pinfo, tree, s)
		end
	end

	p.dissector = pk.dissector(p, pk.length_prefixed(FRAME_MAX),
	    dissect_frame)
end
