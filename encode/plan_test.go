package encode

import (
	"slices"
	"testing"
)

func TestCutChunks(t *testing.T) {
	tests := []struct {
		name           string
		frames         int
		cuts           []int
		minLen, maxLen int
		want           [][2]int
	}{
		{"no cuts, short", 10, nil, 2, 20, [][2]int{{0, 10}}},
		{"cuts", 100, []int{30, 60}, 10, 100, [][2]int{{0, 30}, {30, 60}, {60, 100}}},
		{"cut too close to the previous", 100, []int{5, 60}, 10, 100, [][2]int{{0, 60}, {60, 100}}},
		{"cut too close to the end", 100, []int{50, 95}, 10, 100, [][2]int{{0, 50}, {50, 100}}},
		{"long scene split every maxLen", 100, nil, 10, 30, [][2]int{{0, 30}, {30, 60}, {60, 90}, {90, 100}}},
		{"long scene, short rest halved", 100, nil, 20, 30, [][2]int{{0, 30}, {30, 60}, {60, 80}, {80, 100}}},
		{"cuts and splits", 90, []int{20}, 5, 40, [][2]int{{0, 20}, {20, 60}, {60, 90}}},
		{"cut soon after a split", 100, []int{33, 70}, 10, 30, [][2]int{{0, 30}, {30, 60}, {60, 70}, {70, 100}}},
		{"maxLen equal to minLen", 25, nil, 10, 10, [][2]int{{0, 10}, {10, 17}, {17, 25}}},
		{"one frame", 1, nil, 10, 10, [][2]int{{0, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][2]int
			for i, c := range CutChunks(tt.frames, tt.cuts, tt.minLen, tt.maxLen) {
				if c.Index != i {
					t.Errorf("chunk %d has index %d", i, c.Index)
				}
				got = append(got, [2]int{c.Start, c.End})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			p := Plan{Frames: tt.frames, Chunks: CutChunks(tt.frames, tt.cuts, tt.minLen, tt.maxLen)}
			if err := p.Validate(tt.frames); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestPlanValidate(t *testing.T) {
	bad := []Plan{
		{Frames: 10, Chunks: []Chunk{{0, 0, 5}}},                        // ends early
		{Frames: 10, Chunks: []Chunk{{0, 0, 5}, {1, 6, 10}}},            // gap
		{Frames: 10, Chunks: []Chunk{{0, 0, 5}, {2, 5, 10}}},            // index
		{Frames: 11, Chunks: []Chunk{{0, 0, 11}}},                       // other source
		{Frames: 10, Chunks: []Chunk{{0, 0, 5}, {1, 5, 5}, {2, 5, 10}}}, // empty chunk
	}
	for i, p := range bad {
		if err := p.Validate(10); err == nil {
			t.Errorf("plan %d: %+v accepted", i, p.Chunks)
		}
	}
}

func TestSceneCuts(t *testing.T) {
	tests := []struct {
		name  string
		diffs []float64
		want  []int
	}{
		{"still", []float64{0, 1, 1, 1, 1}, nil},
		{"one cut", []float64{0, 1, 1, 30, 1, 1}, []int{3}},
		{"steady fast motion is no cut", []float64{0, 20, 21, 20, 22, 21}, []int{1}},
		{"below threshold", []float64{0, 0.1, 0.1, 8, 0.1}, nil},
	}
	for _, tt := range tests {
		if got := SceneCuts(tt.diffs, SceneOptions{}); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
