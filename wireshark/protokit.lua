-- protokit.lua: the Wireshark dissector of protokit's five protocols, the
-- one file to give Wireshark or tshark:
--
--     tshark -X lua_script:wireshark/protokit.lua -o vault.ports:4000 -r F
--
-- It loads common.lua (the helpers the protocols share) and then one file
-- per protocol from its own directory.  Each protocol file returns a
-- function that registers its Proto when called with the helpers, so a
-- copy of this folder in Wireshark's personal plugins folder (which loads
-- every .lua file in it) registers each protocol once, from here.
-- docs/trace.md, "Captures and Wireshark", says how to use it.

local dir = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"

local pk = dofile(dir .. "common.lua")

for _, name in ipairs({"vault", "keymanager", "chat", "e2e", "ca"}) do
	local path = dir .. name .. ".lua"
	local f = io.open(path, "r")
	-- a protocol not written yet is left out, the others still work
	if f ~= nil then
		f:close()
		dofile(path)(pk)
	end
end
