package console_test

import (
	"image"
	"image/color"
	"sort"
)

// quantize maps a screenshot onto its 256 most frequent colours (the nearest of them for
// the rest): a page of flat colours keeps its look in a third of the bytes, so the
// README's screenshots stay small.
func quantize(img image.Image) image.Image {
	b := img.Bounds()
	counts := map[color.RGBA]int{}
	pixel := func(x, y int) color.RGBA {
		r, g, bl, a := img.At(x, y).RGBA()
		return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			counts[pixel(x, y)]++
		}
	}
	colours := make([]color.RGBA, 0, len(counts))
	for c := range counts {
		colours = append(colours, c)
	}
	sort.Slice(colours, func(i, j int) bool {
		if counts[colours[i]] != counts[colours[j]] {
			return counts[colours[i]] > counts[colours[j]]
		}
		return rgbaLess(colours[i], colours[j])
	})
	if len(colours) > 256 {
		colours = colours[:256]
	}
	palette := make(color.Palette, len(colours))
	index := make(map[color.RGBA]uint8, len(counts))
	for i, c := range colours {
		palette[i] = c
		index[c] = uint8(i)
	}
	out := image.NewPaletted(b, palette)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := pixel(x, y)
			i, ok := index[c]
			if !ok {
				i = uint8(palette.Index(c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	return out
}

func rgbaLess(a, b color.RGBA) bool {
	if a.R != b.R {
		return a.R < b.R
	}
	if a.G != b.G {
		return a.G < b.G
	}
	if a.B != b.B {
		return a.B < b.B
	}
	return a.A < b.A
}
