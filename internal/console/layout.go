package console

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// The drawing's measures, in SVG user units (CSS pixels at scale 1).
const (
	nodeWidth    = 212.0
	nodeHeight   = 56.0
	pseudoWidth  = 76.0 // the start and end nodes
	pseudoHeight = 30.0
	layerGap     = 36.0 // between a layer's boxes and the next layer's
	nodeGap      = 28.0 // between two boxes side by side
	laneGap      = 12.0 // between a box and a long edge passing it, or two such edges
	margin       = 16.0
	loopReach    = 22.0 // how far a self-loop reaches out of its box
	portGap      = 12.0 // between two edges leaving or entering one side of a box
)

// Layout places the graph's nodes in layers, top to bottom in the order states run, and
// routes every edge: the layered method of Sugiyama et al. Cycles are broken by turning
// back edges around, long edges pass through placeholder points so they run between
// boxes, crossings are reduced by barycentre sweeps, and boxes are centred over their
// neighbours under the constraint that none overlap. Same graph, same drawing.
func (g *Graph) Layout() (width, height float64) {
	l := newLayering(g)
	l.order()
	l.place()
	return l.route()
}

// slot is a box or a point of a long edge in one layer.
type slot struct {
	node  int // the graph node, or -1 for a point of a long edge
	edge  int // for a point: the edge it belongs to
	layer int
	pos   int     // its place in its layer, from the left
	x     float64 // its centre
	up    []link  // slots it connects to in the layer above
	down  []link  // and below
}

// link is a connection to a slot in the next layer, weighted by how much the layout
// should keep the two in line: the path a machine takes when all goes well runs
// straight, error handling bends around it.
type link struct {
	slot   int
	weight float64
}

func linkWeight(kind EdgeKind) float64 {
	switch kind {
	case EdgeCatch, EdgeEnd:
		return 1
	}
	return 4
}

func (s *slot) width(g *Graph) float64 {
	switch {
	case s.node < 0:
		return 0
	case g.Nodes[s.node].pseudo():
		return pseudoWidth
	}
	return nodeWidth
}

type layering struct {
	g      *Graph
	slots  []*slot
	layers [][]int // slot indices per layer, left to right
	nodeAt []int   // the slot of each graph node
	// chain is, for each edge, its slots from top to bottom (source and target included),
	// nil for a self-loop.
	chain [][]int
}

func newLayering(g *Graph) *layering {
	l := &layering{g: g, nodeAt: make([]int, len(g.Nodes)), chain: make([][]int, len(g.Edges))}
	l.breakCycles()
	layer := l.longestPath()
	for n := range g.Nodes {
		l.nodeAt[n] = l.addSlot(&slot{node: n, edge: -1, layer: layer[n]})
	}
	for e, edge := range g.Edges {
		if edge.From == edge.To {
			continue
		}
		top, bottom := edge.downwards()
		chain := []int{l.nodeAt[top]}
		for lay := layer[top] + 1; lay < layer[bottom]; lay++ {
			chain = append(chain, l.addSlot(&slot{node: -1, edge: e, layer: lay}))
		}
		chain = append(chain, l.nodeAt[bottom])
		w := linkWeight(edge.Kind)
		for i := 0; i+1 < len(chain); i++ {
			l.slots[chain[i]].down = append(l.slots[chain[i]].down, link{chain[i+1], w})
			l.slots[chain[i+1]].up = append(l.slots[chain[i+1]].up, link{chain[i], w})
		}
		l.chain[e] = chain
	}
	return l
}

func (l *layering) addSlot(s *slot) int {
	l.slots = append(l.slots, s)
	for len(l.layers) <= s.layer {
		l.layers = append(l.layers, nil)
	}
	return len(l.slots) - 1
}

// breakCycles turns around every edge that closes a cycle in a depth-first walk from the
// start (a loop back to an earlier state), so that the layers can follow the rest.
func (l *layering) breakCycles() {
	g := l.g
	out := make([][]int, len(g.Nodes))
	for e, edge := range g.Edges {
		out[edge.From] = append(out[edge.From], e)
	}
	const (
		unseen = iota
		onStack
		done
	)
	mark := make([]int, len(g.Nodes))
	var visit func(n int)
	visit = func(n int) {
		mark[n] = onStack
		for _, e := range out[n] {
			to := g.Edges[e].To
			switch mark[to] {
			case onStack:
				g.Edges[e].reversed = to != n
			case unseen:
				visit(to)
			}
		}
		mark[n] = done
	}
	for n := range g.Nodes {
		if mark[n] == unseen {
			visit(n)
		}
	}
}

// downwards is the edge's ends in the order the layers put them: a cycle's edge back is
// laid out turned around.
func (e Edge) downwards() (top, bottom int) {
	if e.reversed {
		return e.To, e.From
	}
	return e.From, e.To
}

// longestPath gives each node the layer one below its lowest predecessor, and the end
// node the bottom layer.
func (l *layering) longestPath() []int {
	g := l.g
	layer := make([]int, len(g.Nodes))
	indegree := make([]int, len(g.Nodes))
	next := make([][]int, len(g.Nodes))
	for _, e := range g.Edges {
		if e.From == e.To {
			continue
		}
		from, to := e.downwards()
		next[from] = append(next[from], to)
		indegree[to]++
	}
	var queue []int
	for n := range g.Nodes {
		if indegree[n] == 0 {
			queue = append(queue, n)
		}
	}
	bottom := 0
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		bottom = max(bottom, layer[n])
		for _, to := range next[n] {
			layer[to] = max(layer[to], layer[n]+1)
			if indegree[to]--; indegree[to] == 0 {
				queue = append(queue, to)
			}
		}
	}
	if end := g.End(); indegree[end] == 0 && len(g.Nodes) > 2 {
		layer[end] = max(layer[end], bottom)
	}
	return layer
}

// order sets each layer's left-to-right order: first as a breadth-first walk from the
// start meets the slots (a state's Next before its Catches, so the path that succeeds
// runs down the left), then by barycentre sweeps, keeping the order with the fewest
// crossings.
func (l *layering) order() {
	seen := make([]bool, len(l.slots))
	var queue []int
	visit := func(s int) {
		if !seen[s] {
			seen[s] = true
			queue = append(queue, s)
			lay := l.slots[s].layer
			l.slots[s].pos = len(l.layers[lay])
			l.layers[lay] = append(l.layers[lay], s)
		}
	}
	for s := range l.slots {
		if l.slots[s].node >= 0 && len(l.slots[s].up) == 0 {
			visit(s)
		}
		for len(queue) > 0 {
			next := queue[0]
			queue = queue[1:]
			for _, d := range l.slots[next].down {
				visit(d.slot)
			}
		}
	}
	for s := range l.slots { // whatever no source reaches (a cycle with no way in)
		visit(s)
	}
	best := l.snapshot()
	bestCrossings := l.crossings()
	for sweep := 0; sweep < 16 && bestCrossings > 0; sweep++ {
		if sweep%2 == 0 {
			for lay := 1; lay < len(l.layers); lay++ {
				l.sortByBarycentre(lay, func(s *slot) []link { return s.up })
			}
		} else {
			for lay := len(l.layers) - 2; lay >= 0; lay-- {
				l.sortByBarycentre(lay, func(s *slot) []link { return s.down })
			}
		}
		if c := l.crossings(); c < bestCrossings {
			best, bestCrossings = l.snapshot(), c
		}
	}
	l.restore(best)
}

func (l *layering) sortByBarycentre(lay int, neighbours func(*slot) []link) {
	row := l.layers[lay]
	centre := make(map[int]float64, len(row))
	for _, s := range row {
		ns := neighbours(l.slots[s])
		if len(ns) == 0 {
			centre[s] = float64(l.slots[s].pos)
			continue
		}
		sum := 0.0
		for _, n := range ns {
			sum += float64(l.slots[n.slot].pos)
		}
		centre[s] = sum / float64(len(ns))
	}
	sort.SliceStable(row, func(i, j int) bool { return centre[row[i]] < centre[row[j]] })
	for i, s := range row {
		l.slots[s].pos = i
	}
}

func (l *layering) crossings() int {
	total := 0
	for lay := 0; lay+1 < len(l.layers); lay++ {
		type segment struct{ a, b int }
		var segs []segment
		for _, s := range l.layers[lay] {
			for _, d := range l.slots[s].down {
				segs = append(segs, segment{l.slots[s].pos, l.slots[d.slot].pos})
			}
		}
		for i := range segs {
			for j := i + 1; j < len(segs); j++ {
				if (segs[i].a-segs[j].a)*(segs[i].b-segs[j].b) < 0 {
					total++
				}
			}
		}
	}
	return total
}

func (l *layering) snapshot() [][]int {
	out := make([][]int, len(l.layers))
	for i, row := range l.layers {
		out[i] = append([]int(nil), row...)
	}
	return out
}

func (l *layering) restore(layers [][]int) {
	l.layers = layers
	for _, row := range layers {
		for i, s := range row {
			l.slots[s].pos = i
		}
	}
}

// place gives every slot its x: each layer is centred over its neighbours in the layer
// above, then below, then both, each time as close as the order and the gaps allow.
func (l *layering) place() {
	for _, row := range l.layers {
		x := 0.0
		for i, s := range row {
			if i > 0 {
				x += l.gap(row[i-1], s)
			}
			l.slots[s].x = x
		}
	}
	both := func(s *slot) []link { return append(append([]link(nil), s.up...), s.down...) }
	for round := 0; round < 8; round++ {
		for lay := 1; lay < len(l.layers); lay++ {
			l.align(lay, func(s *slot) []link { return s.up })
		}
		for lay := len(l.layers) - 2; lay >= 0; lay-- {
			l.align(lay, func(s *slot) []link { return s.down })
		}
	}
	for lay := range l.layers {
		l.align(lay, both)
	}
	l.straighten()
	left := math.Inf(1)
	for _, s := range l.slots {
		left = min(left, s.x-s.width(l.g)/2)
	}
	for _, s := range l.slots {
		s.x += margin - left
	}
}

// straighten lines up each long edge's points where the boxes and edges beside them
// leave room, so that it runs as one straight lane instead of wavering between layers.
func (l *layering) straighten() {
	for round := 0; round < 4; round++ {
		for _, chain := range l.chain {
			if len(chain) < 3 {
				continue
			}
			points := chain[1 : len(chain)-1]
			xs := make([]float64, len(points))
			for i, s := range points {
				xs[i] = l.slots[s].x
			}
			sort.Float64s(xs)
			want := xs[len(xs)/2]
			for _, s := range points {
				sl := l.slots[s]
				row := l.layers[sl.layer]
				lo, hi := math.Inf(-1), math.Inf(1)
				if sl.pos > 0 {
					lo = l.slots[row[sl.pos-1]].x + l.gap(row[sl.pos-1], s)
				}
				if sl.pos+1 < len(row) {
					hi = l.slots[row[sl.pos+1]].x - l.gap(s, row[sl.pos+1])
				}
				sl.x = min(max(want, lo), hi)
			}
		}
	}
}

// gap is the least distance between the centres of two neighbouring slots.
func (l *layering) gap(a, b int) float64 {
	sa, sb := l.slots[a], l.slots[b]
	gap := nodeGap
	if sa.node < 0 || sb.node < 0 {
		gap = laneGap
	}
	return sa.width(l.g)/2 + gap + sb.width(l.g)/2
}

// align moves a layer's slots towards the mean x of their neighbours: the least-squares
// placement that keeps the order and the gaps, found by pooling adjacent violators. A
// long edge's points weigh more, so long edges run straight.
func (l *layering) align(lay int, neighbours func(*slot) []link) {
	row := l.layers[lay]
	if len(row) == 0 {
		return
	}
	// With offset[i] the least distance from the first slot to slot i, y[i] = x[i] - offset[i]
	// must not decrease: an isotonic regression of the wanted positions.
	offset := make([]float64, len(row))
	for i := 1; i < len(row); i++ {
		offset[i] = offset[i-1] + l.gap(row[i-1], row[i])
	}
	type block struct {
		sum, weight float64
		count       int
	}
	var blocks []block
	for i, s := range row {
		sl := l.slots[s]
		want := sl.x
		if ns := neighbours(sl); len(ns) > 0 {
			// Only the strongest links count: a state lines up with the state it
			// normally runs before or after, and its Catch edges bend to meet it.
			strongest := 0.0
			for _, n := range ns {
				strongest = max(strongest, n.weight)
			}
			sum, count := 0.0, 0
			for _, n := range ns {
				if n.weight == strongest {
					sum += l.slots[n.slot].x
					count++
				}
			}
			want = sum / float64(count)
		}
		weight := 1.0
		if sl.node < 0 {
			weight = 4
		}
		blocks = append(blocks, block{sum: (want - offset[i]) * weight, weight: weight, count: 1})
		for len(blocks) > 1 {
			last, prev := blocks[len(blocks)-1], blocks[len(blocks)-2]
			if prev.sum/prev.weight <= last.sum/last.weight {
				break
			}
			blocks = blocks[:len(blocks)-2]
			blocks = append(blocks, block{prev.sum + last.sum, prev.weight + last.weight, prev.count + last.count})
		}
	}
	i := 0
	for _, b := range blocks {
		y := b.sum / b.weight
		for k := 0; k < b.count; k++ {
			l.slots[row[i]].x = y + offset[i]
			i++
		}
	}
}

// route sets the boxes of the graph's nodes and the points of its edges, and returns the
// drawing's size.
func (l *layering) route() (width, height float64) {
	g := l.g
	top := func(lay int) float64 { return margin + float64(lay)*(nodeHeight+layerGap) }
	for n := range g.Nodes {
		s := l.slots[l.nodeAt[n]]
		w, h := nodeWidth, nodeHeight
		if g.Nodes[n].pseudo() {
			w, h = pseudoWidth, pseudoHeight
		}
		g.Nodes[n].X, g.Nodes[n].W, g.Nodes[n].H = s.x-w/2, w, h
		g.Nodes[n].Y = top(s.layer) + (nodeHeight-h)/2
		width = max(width, s.x+w/2+margin+loopReach)
		height = max(height, top(s.layer)+nodeHeight+margin)
	}
	bottomPort, topPort := l.ports()
	for e := range g.Edges {
		edge := &g.Edges[e]
		if edge.From == edge.To {
			n := g.Nodes[edge.From]
			right := n.X + n.W
			edge.Points = []Point{{right, n.Y + n.H*0.3}, {right + loopReach, n.Y + n.H*0.3},
				{right + loopReach, n.Y + n.H*0.7}, {right, n.Y + n.H*0.7}}
			continue
		}
		chain := l.chain[e]
		first, last := l.slots[chain[0]], l.slots[chain[len(chain)-1]]
		upper, lower := g.Nodes[first.node], g.Nodes[last.node]
		points := []Point{{bottomPort[e], upper.Y + upper.H}}
		for _, s := range chain[1 : len(chain)-1] {
			sl := l.slots[s]
			points = append(points, Point{sl.x, top(sl.layer)}, Point{sl.x, top(sl.layer) + nodeHeight})
		}
		points = append(points, Point{topPort[e], lower.Y})
		if edge.reversed {
			for i, j := 0, len(points)-1; i < j; i, j = i+1, j-1 {
				points[i], points[j] = points[j], points[i]
			}
		}
		edge.Points = points
	}
	return width, height
}

// ports spreads the edges leaving a box's bottom (entering its top) along that side, in
// the order of where they go (come from), so that they do not start on one another.
func (l *layering) ports() (bottom, top map[int]float64) {
	bottom, top = map[int]float64{}, map[int]float64{}
	leaving := map[int][]int{}
	entering := map[int][]int{}
	for e, chain := range l.chain {
		if chain == nil {
			continue
		}
		leaving[chain[0]] = append(leaving[chain[0]], e)
		entering[chain[len(chain)-1]] = append(entering[chain[len(chain)-1]], e)
	}
	spread := func(side map[int][]int, neighbour func(chain []int) int, into map[int]float64) {
		for s, edges := range side {
			sl := l.slots[s]
			reach := sl.width(l.g) * 0.3
			// Each edge leaves towards where it goes (straight down when that is
			// below), at least portGap from the next one.
			want := make(map[int]float64, len(edges))
			for _, e := range edges {
				dx := l.slots[neighbour(l.chain[e])].x - sl.x
				want[e] = min(max(dx*0.25, -reach), reach)
			}
			sort.SliceStable(edges, func(i, j int) bool { return want[edges[i]] < want[edges[j]] })
			offsets := make([]float64, len(edges))
			for i, e := range edges {
				offsets[i] = want[e]
				if i > 0 {
					offsets[i] = max(offsets[i], offsets[i-1]+portGap)
				}
			}
			for i := len(offsets) - 1; i >= 0; i-- { // and back inside the side
				limit := reach
				if i+1 < len(offsets) {
					limit = offsets[i+1] - portGap
				}
				offsets[i] = min(offsets[i], limit)
			}
			for i, e := range edges {
				into[e] = sl.x + offsets[i]
			}
		}
	}
	spread(leaving, func(chain []int) int { return chain[1] }, bottom)
	spread(entering, func(chain []int) int { return chain[len(chain)-2] }, top)
	return bottom, top
}

// Path is an edge's route as SVG path data: curves between layers, straight runs
// through them.
func (e Edge) Path() string {
	if len(e.Points) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "M%.1f %.1f", e.Points[0].X, e.Points[0].Y)
	if e.From == e.To {
		for _, p := range e.Points[1:] {
			fmt.Fprintf(&b, " L%.1f %.1f", p.X, p.Y)
		}
		return b.String()
	}
	for i := 1; i < len(e.Points); i++ {
		p, q := e.Points[i-1], e.Points[i]
		if p.X == q.X {
			fmt.Fprintf(&b, " L%.1f %.1f", q.X, q.Y)
			continue
		}
		mid := (p.Y + q.Y) / 2
		fmt.Fprintf(&b, " C%.1f %.1f %.1f %.1f %.1f %.1f", p.X, mid, q.X, mid, q.X, q.Y)
	}
	return b.String()
}
