-- common.lua: the helpers every protokit protocol file shares (loaded by
-- protokit.lua, which passes them to each protocol file as `pk`).  When
-- Wireshark loads this file on its own (a plugins folder) it only returns
-- the table: nothing is registered.
--
-- The API (do not rename: the protocol files depend on it):
--
-- p, f = pk.proto(name, desc, prefs, fields)
--     A Proto NAME ("vault") with
--     - one port-range preference per entry {key, label} of prefs, set
--       with `-o NAME.KEY:PORTS` (PORTS: "4000", "4000,4001", "4000-4010");
--       the convention: `ports` for the relay's service port, `peer_ports`
--       for a peer channel's listening ports;
--     - the dissector registered on tcp.port for every port of every one
--       of these preferences (again whenever they change);
--     - the fields: each entry {fname, ftype[, base[, valuestring]]} of
--       fields is the ProtoField "NAME.FNAME" (the trace's field name),
--       f[fname]; and always f.step, "NAME.step", the trace's step name;
--     - the expert info "NAME.malformed" (group malformed, severity
--       error) that pk.bad adds.
--     The caller sets p.dissector, usually to pk.dissector(p, ...).
-- pk.in_prefs(p, key, port): true if port is in preference KEY of p.
-- pk.dissector(p, frame_len, dissect_frame)
--     A dissector function for p over TCP that splits the stream into
--     frames, asking TCP to reassemble a frame split across segments.
--     frame_len(tvb, pinfo, off) returns the bytes of the frame that
--     starts at off in tvb, or nil when tvb holds too few bytes to tell.
--     dissect_frame(tvb, pinfo, tree, where) dissects one whole frame:
--     tvb is the frame alone, so field offsets are the trace's offsets;
--     where is pk.where of the frame.
-- pk.where(tvb, pinfo, off) -> key
--     A string that names the frame at off in the dissector's tvb, the
--     same on every pass over the capture: a key for what a protocol
--     remembers of its first pass (Wireshark dissects a packet again
--     when it is clicked, in any order).
-- pk.frame_key(tvb, pinfo, seen) -> key
--     For dissect_frame's tvb (the frame alone): a key made of the
--     packet's number and the frame's length and bytes, the same on every
--     pass even where pk.where is not: when one segment ends a frame and
--     starts the next, the second pass (tshark -2, Wireshark's clicks)
--     hands the first over in a shorter reassembled tvb.  seen is the
--     caller's table, emptied in its p.init: on the first pass a frame
--     the same as one before it in the packet gets a key of its own.
-- pk.length_prefixed(max) -> frame_len
--     A frame_len for frames of a 4-byte big-endian length and that many
--     bytes (lib/frame.h): 4 + length; a length of 0 or over max makes
--     the rest of tvb one frame, for dissect_frame to mark malformed.
-- pk.frame(p, tvb, pinfo, tree, step) -> subtree
--     The frame's tree item (the protocol, its step), the step field, and
--     the step in the protocol and info columns.
-- pk.add(t, field, tvb, off, len[, le]) -> item
--     Field over tvb(off, len), little-endian if le; len 0 is allowed.
-- pk.bad(p, pinfo, item, why): marks item as malformed (expert info,
--     `why` the trace's reason) and adds " [malformed]" to the info column.

local pk = {}

-- what pk.proto made for each Proto (a Proto takes no fields of ours)
local made = {}

-- in_range(str, n): whether n is in the Wireshark range string str.
local function in_range(str, n)
	for part in tostring(str or ""):gmatch("[^,%s]+") do
		local lo, hi = part:match("^(%d+)%-(%d+)$")
		if lo == nil then
			lo = part:match("^%d+$")
			hi = lo
		end
		if lo ~= nil and n >= tonumber(lo) and n <= tonumber(hi) then
			return true
		end
	end
	return false
end

function pk.in_prefs(p, key, port)
	return in_range(p.prefs[key], port)
end

function pk.proto(name, desc, prefs, fields)
	local p = Proto(name, desc)
	local f = {}
	local list = {}
	for _, d in ipairs(fields) do
		f[d[1]] = ProtoField.new(d[1], name .. "." .. d[1], d[2], d[4],
		    d[3])
		list[#list + 1] = f[d[1]]
	end
	f.step = ProtoField.string(name .. ".step", "step")
	list[#list + 1] = f.step
	p.fields = list
	local bad = ProtoExpert.new(name .. ".malformed", "malformed frame",
	    expert.group.MALFORMED, expert.severity.ERROR)
	p.experts = { bad }
	made[p] = { step = f.step, bad = bad, name = name }
	for _, d in ipairs(prefs) do
		p.prefs[d[1]] = Pref.range(d[2], "", d[2] ..
		    " (-o " .. name .. "." .. d[1] .. ":4000,4001-4003)", 65535)
	end
	local tcp = DissectorTable.get("tcp.port")
	function p.prefs_changed()
		tcp:remove_all(p)
		for _, d in ipairs(prefs) do
			local r = tostring(p.prefs[d[1]] or "")
			if r ~= "" then
				tcp:add(r, p)
			end
		end
	end
	return p, f
end

function pk.where(tvb, pinfo, off)
	return table.concat({ pinfo.number, tvb:offset(), tvb:len(), off },
	    ":")
end

function pk.frame_key(tvb, pinfo, seen)
	local n = tvb:len()
	local k = math.min(n, 32)
	local key = table.concat({ pinfo.number, n, tostring(tvb(0, k):bytes()),
	    tostring(tvb(n - k, k):bytes()) }, ":")
	if pinfo.visited then
		return key .. "#1"
	end
	seen[key] = (seen[key] or 0) + 1
	return key .. "#" .. seen[key]
end

function pk.dissector(p, frame_len, dissect_frame)
	return function(tvb, pinfo, tree)
		local off, n = 0, tvb:len()
		made[p].first = true
		while off < n do
			local len = frame_len(tvb, pinfo, off)
			if len == nil then
				pinfo.desegment_offset = off
				pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
				return n
			end
			if off + len > n then
				pinfo.desegment_offset = off
				pinfo.desegment_len = off + len - n
				return n
			end
			dissect_frame(tvb(off, len):tvb(), pinfo, tree,
			    pk.where(tvb, pinfo, off))
			off = off + len
		end
		return off
	end
end

function pk.length_prefixed(max)
	return function(tvb, pinfo, off)
		if tvb:len() - off < 4 then
			return nil
		end
		local len = tvb(off, 4):uint()
		if len == 0 or len > max then
			return tvb:len() - off
		end
		return 4 + len
	end
end

function pk.frame(p, tvb, pinfo, tree, step)
	local m = made[p]
	local t = tree:add(p, tvb(), p.description .. ", " .. step)
	t:add(m.step, step):set_generated()
	pinfo.cols.protocol = m.name
	if m.first then
		pinfo.cols.info:set(step)
	else
		pinfo.cols.info:append(", " .. step)
	end
	m.first = false
	return t
end

function pk.add(t, field, tvb, off, len, le)
	if le then
		return t:add_le(field, tvb(off, len))
	end
	return t:add(field, tvb(off, len))
end

function pk.bad(p, pinfo, item, why)
	item:add_proto_expert_info(made[p].bad, why)
	pinfo.cols.info:append(" [malformed]")
end

return pk
