package encode

// libavfilter, opened only when a graph is built. Deinterlacing and AAC
// re-encoding need it; most runs do neither, and linking it would load
// its 160 libraries (speech synthesis, OCR, SVG, ...) into every rung
// process: about 20 ms and 12 MB before main. This file replaces
// go-astiav's filter bindings, so a link with lld, --as-needed and
// --gc-sections leaves no reference to libavfilter (go-astiav's unused
// bindings are dropped with their sections).

/*
#cgo pkg-config: libavutil
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <libavutil/avutil.h>
#include <libavutil/mem.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/version.h>
#include <libavfilter/buffersrc.h>

#define RUNG_AVFILTER_SONAME "libavfilter.so." AV_STRINGIFY(LIBAVFILTER_VERSION_MAJOR)

typedef struct {
	AVFilterGraph *(*graph_alloc)(void);
	const AVFilter *(*get_by_name)(const char *);
	int (*create_filter)(AVFilterContext **, const AVFilter *, const char *, const char *, void *, AVFilterGraph *);
	AVFilterInOut *(*inout_alloc)(void);
	void (*inout_free)(AVFilterInOut **);
	int (*parse_ptr)(AVFilterGraph *, const char *, AVFilterInOut **, AVFilterInOut **, void *);
	int (*config)(AVFilterGraph *, void *);
	void (*graph_free)(AVFilterGraph **);
	int (*add_frame_flags)(AVFilterContext *, AVFrame *, int);
	int (*get_frame_flags)(AVFilterContext *, AVFrame *, int);
} rung_avfilter;

// rung_avfilter_open fills f from libavfilter and returns NULL, or the
// reason it could not.
static const char *rung_avfilter_open(rung_avfilter *f) {
	void *h = dlopen(RUNG_AVFILTER_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) return dlerror();
#define SYM(field, name) if (!(*(void **)&f->field = dlsym(h, name))) return "libavfilter has no " name
	SYM(graph_alloc, "avfilter_graph_alloc");
	SYM(get_by_name, "avfilter_get_by_name");
	SYM(create_filter, "avfilter_graph_create_filter");
	SYM(inout_alloc, "avfilter_inout_alloc");
	SYM(inout_free, "avfilter_inout_free");
	SYM(parse_ptr, "avfilter_graph_parse_ptr");
	SYM(config, "avfilter_graph_config");
	SYM(graph_free, "avfilter_graph_free");
	SYM(add_frame_flags, "av_buffersrc_add_frame_flags");
	SYM(get_frame_flags, "av_buffersink_get_frame_flags");
#undef SYM
	return NULL;
}

// rung_graph_build makes src (args) -> desc -> sink in a new graph. On
// failure it frees the graph, and *stage says which step failed.
static int rung_graph_build(rung_avfilter *f, const char *src, const char *args, const char *sink, const char *desc,
		AVFilterGraph **graph, AVFilterContext **srcctx, AVFilterContext **sinkctx, int *stage) {
	AVFilterInOut *outputs = NULL, *inputs = NULL;
	int ret;
	*stage = 0;
	if (!(*graph = f->graph_alloc())) return AVERROR(ENOMEM);
	const AVFilter *sf = f->get_by_name(src), *kf = f->get_by_name(sink);
	if (!sf || !kf) { ret = AVERROR_FILTER_NOT_FOUND; goto fail; }
	*stage = 1;
	if ((ret = f->create_filter(srcctx, sf, "in", args, NULL, *graph)) < 0) goto fail;
	*stage = 2;
	if ((ret = f->create_filter(sinkctx, kf, "out", NULL, NULL, *graph)) < 0) goto fail;
	*stage = 3;
	outputs = f->inout_alloc();
	inputs = f->inout_alloc();
	if (!outputs || !inputs) { ret = AVERROR(ENOMEM); goto fail; }
	outputs->name = av_strdup("in");
	outputs->filter_ctx = *srcctx;
	inputs->name = av_strdup("out");
	inputs->filter_ctx = *sinkctx;
	if ((ret = f->parse_ptr(*graph, desc, &inputs, &outputs, NULL)) < 0) goto fail;
	*stage = 4;
	if ((ret = f->config(*graph, NULL)) < 0) goto fail;
	f->inout_free(&inputs);
	f->inout_free(&outputs);
	return 0;
fail:
	f->inout_free(&inputs);
	f->inout_free(&outputs);
	f->graph_free(graph);
	return ret;
}

static void rung_graph_free(rung_avfilter *f, AVFilterGraph *g) { f->graph_free(&g); }
static int rung_graph_push(rung_avfilter *f, AVFilterContext *c, AVFrame *fr, int flags) { return f->add_frame_flags(c, fr, flags); }
static int rung_graph_pull(rung_avfilter *f, AVFilterContext *c, AVFrame *fr) { return f->get_frame_flags(c, fr, 0); }
static AVRational rung_graph_sink_tb(AVFilterContext *c) { return c->inputs[0]->time_base; }
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// avfilterLib is libavfilter's functions, loaded on the first call.
var avfilterLib = sync.OnceValues(func() (*C.rung_avfilter, error) {
	f := (*C.rung_avfilter)(C.calloc(1, C.sizeof_rung_avfilter)) // lives as long as the process, as the library does
	if msg := C.rung_avfilter_open(f); msg != nil {
		return nil, fmt.Errorf("cannot load %s: %s", C.RUNG_AVFILTER_SONAME, C.GoString(msg))
	}
	return f, nil
})

// filterGraph is a libavfilter graph from a source filter through a
// filter description to a sink: frames are pushed into the source and
// pulled from the sink.
type filterGraph struct {
	lib       *C.rung_avfilter
	graph     *C.AVFilterGraph
	src, sink *C.AVFilterContext
}

// graphStages names the step of newFilterGraph that failed.
var graphStages = [...]string{"filters", "source", "sink", "description", "configuration"}

// newFilterGraph builds src (with args, key=value pairs) -> desc -> sink,
// e.g. "buffer" -> "bwdif" -> "buffersink".
func newFilterGraph(src string, args astiav.FilterArgs, sink, desc string) (*filterGraph, error) {
	lib, err := avfilterLib()
	if err != nil {
		return nil, err
	}
	cs, ca, ck, cd := C.CString(src), C.CString(args.String()), C.CString(sink), C.CString(desc)
	defer C.free(unsafe.Pointer(cs))
	defer C.free(unsafe.Pointer(ca))
	defer C.free(unsafe.Pointer(ck))
	defer C.free(unsafe.Pointer(cd))
	g := &filterGraph{lib: lib}
	var stage C.int
	if ret := C.rung_graph_build(lib, cs, ca, ck, cd, &g.graph, &g.src, &g.sink, &stage); ret < 0 {
		return nil, fmt.Errorf("filter %s: %w", graphStages[stage], astiav.Error(ret))
	}
	return g, nil
}

// push sends f into the source, keeping f's reference when keep is set;
// a nil f flushes the graph.
func (g *filterGraph) push(f *astiav.Frame, keep bool) error {
	var cf *C.AVFrame
	flags := C.int(0)
	if f != nil {
		cf = (*C.AVFrame)(f.UnsafePointer())
		if keep {
			flags = C.AV_BUFFERSRC_FLAG_KEEP_REF
		}
	}
	if ret := C.rung_graph_push(g.lib, g.src, cf, flags); ret < 0 {
		return astiav.Error(ret)
	}
	return nil
}

// pull moves the next frame of the sink into f. It returns an error
// matching astiav.ErrEagain when the graph needs more input and
// astiav.ErrEof when it is done.
func (g *filterGraph) pull(f *astiav.Frame) error {
	if ret := C.rung_graph_pull(g.lib, g.sink, (*C.AVFrame)(f.UnsafePointer())); ret < 0 {
		return astiav.Error(ret)
	}
	return nil
}

// sinkTimeBase is the time base of the frames pull returns.
func (g *filterGraph) sinkTimeBase() astiav.Rational {
	tb := C.rung_graph_sink_tb(g.sink)
	return astiav.NewRational(int(tb.num), int(tb.den))
}

// close frees the graph and its filters.
func (g *filterGraph) close() {
	if g != nil && g.graph != nil {
		C.rung_graph_free(g.lib, g.graph)
		g.graph = nil
	}
}
