# protokit-chart.jq: the message sequence chart of a JSON trace
# (docs/trace.md), read with jq -s: `protokit chart` runs it.  $fmt is
# "msc" (mscgen's input) or "text" (one line per arrow, a column per
# participant).
#
# A participant is a trace's "who" (pk-xfer --trace-as, "relay" for
# pk-relay), found by the "local" address of its sockets; an address no
# trace calls its own is the relay's (its side was not traced).  A frame
# both ends traced is in the trace twice, sent and received: the k-th
# frame of one step and size from one socket to another is drawn once.

# The party at address a, given the map of local addresses to parties.
def party($names; $a):
	$names[$a] // (if $a == "" or $a == null then "?" else "relay" end);

# [from, to] addresses of a frame; a side without an address is its who.
def ends:
	(if (.local // "") != "" then .local else (.who // "client") end) as $l
	| (.peer // "") as $p
	| if .direction == "sent" then [$l, $p] else [$p, $l] end;

# The value of field $n, or null.
def field($n): first(.fields[]? | select(.name == $n) | .value) // null;

# A short, stable label: the step and its key fields (a code, a name, a
# mode, a packet's number), then the frame's size.
def caption:
	def s: tostring | gsub("[^ -~]"; "?") | .[0:20];
	[.step,
	 (field("code") // empty | s),
	 (if .step == "mode" then field("text") // empty | s else empty end),
	 (field("name") // field("file_name") // field("choice") // empty
	  | s),
	 (if field("total_packets") then
	      "\(field("packet_number") + 1)/\(field("total_packets"))"
	  else empty end),
	 "\(.length) B"]
	| join(" ");

# The arrows: [{from, to, label, step}] in the order of the run.
def arrows:
	sort_by(.time) as $fr
	| (reduce ($fr[] | select(.local)) as $f ({};
	      .[$f.local] = ($f.who // .[$f.local] // $f.local))) as $names
	| reduce $fr[] as $f ({seen: {}, drawn: {}, out: []};
	      ($f | ends) as $e
	      | ($e + [$f.step, ($f.length | tostring)] | join(" ")) as $k
	      | ($k + " " + $f.direction) as $kd
	      | .seen[$kd] += 1
	      | if .seen[$kd] > (.drawn[$k] // 0) then
	            .drawn[$k] = .seen[$kd]
	            | .out += [{from: party($names; $e[0]),
	                  to: party($names; $e[1]), step: $f.step,
	                  label: ($f | caption)}]
	        else . end)
	| .out;

# The participants in order of appearance, the relay second (between
# the first client and the others).
def participants:
	[.[] | .from, .to] | reduce .[] as $p ([]; if index([$p]) then .
	    else . + [$p] end)
	| if index(["relay"]) and length > 2 then
	      (. - ["relay"]) as $o | [$o[0], "relay"] + $o[1:]
	  else . end;

# $n copies of string $c ("" for none: jq's "x" * 0 is null).
def times($c; $n): if $n > 0 then $c * $n else "" end;

def q: "\"" + (tostring | gsub("\\\\"; "\\\\") | gsub("\""; "\\\"")) + "\"";

def msc:
	arrows as $a
	| ($a | participants) as $p
	| "msc {",
	  "  hscale=\"\(([$p | length, 2] | max) / 2 + 0.5)\", arcgradient=\"0\";",
	  "  " + ([$p[] | q] | join(", ")) + ";",
	  ($a[] | "  \(.from | q) => \(.to | q) [label=\(.label | q)];"),
	  "}";

# One line: the lifelines of width $w each, and the arrow between them.
def row($p; $w; $a):
	($p | index([$a.from])) as $i | ($p | index([$a.to])) as $j
	| ([$i, $j] | min * $w + ($w / 2 | floor)) as $l
	| ([$i, $j] | max * $w + ($w / 2 | floor)) as $r
	| ($r - $l - 1) as $n
	| (" \($a.label) ") as $t
	| ((($n - ($t | length)) / 2 | floor) as $d
	   | if $d < 1 then "-" + $t + "-"
	     else times("-"; $d) + $t + times("-"; $n - $d - ($t | length))
	     end)
	  as $line
	| (if $i < $j then $line[0:$n - 1] + ">" else "<" + $line[1:$n] end)
	  as $arrow
	| [range(0; $p | length) | times(" "; $w / 2 | floor) + "|"
	   + times(" "; $w - ($w / 2 | floor) - 1)] | join("")
	| .[0:$l + 1] + $arrow + .[$r:];

def text:
	arrows as $a
	| ($a | participants) as $p
	| ([$a[].label | length + 6] + [16] | max) as $w
	| ([$p[] | . as $n | ($w / 2 | floor) - ($n | length / 2 | floor)
	    | times(" "; .) + $n | . + times(" "; $w - length)]
	   | join("") | sub(" +$"; "")),
	  ($a[] | row($p; $w; .) | sub(" +$"; ""));

if $fmt == "msc" then msc else text end
