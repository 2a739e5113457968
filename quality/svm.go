package quality

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// svmKernel is a libsvm kernel type (kernel_type_table in libvmaf's svm.cpp).
type svmKernel int

const (
	svmLinear svmKernel = iota
	svmPolynomial
	svmRBF
	svmSigmoid
)

var svmKernelNames = map[string]svmKernel{
	"linear": svmLinear, "polynomial": svmPolynomial, "rbf": svmRBF, "sigmoid": svmSigmoid,
}

// svmNode is one (index, value) pair of a sparse libsvm vector; indices
// start at 1.
type svmNode struct {
	index int
	value float64
}

// svmModel is a libsvm regression model (nu_svr or epsilon_svr) as libvmaf's
// svm.cpp holds it: the support vectors stay sparse, in file order, so that
// prediction adds the kernel terms in libsvm's order.
type svmModel struct {
	kernel        svmKernel
	degree        int
	gamma, coef0  float64
	rho           float64
	coef          []float64   // sv_coef[0], one per support vector
	sv            [][]svmNode // support vectors, indices strictly increasing
	maxFeatureIdx int         // highest index used by any support vector
}

// errSVM is wrapped by every libsvm model text error.
var errSVM = errors.New("libsvm model")

// parseSVM parses libsvm's model text (svm_parse_model_from_buffer in
// libvmaf's svm.cpp): a header of "key value" tokens up to "SV", then one
// support vector per line, "coef index:value ...". Only regression models
// (nu_svr, epsilon_svr; nr_class 2, one rho) with the linear, polynomial,
// rbf or sigmoid kernel are accepted.
func parseSVM(text string) (*svmModel, error) {
	m := &svmModel{degree: 3}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), len(text)+1)
	var (
		sawType, sawKernel, sawRho bool
		nrClass                    = -1
		total                      = -1
	)
	header := true
	for header && sc.Scan() {
		fields := strings.Fields(sc.Text())
		for k := 0; k < len(fields); k++ {
			key := fields[k]
			if key == "SV" {
				if k != len(fields)-1 {
					return nil, fmt.Errorf("%w: text after SV", errSVM)
				}
				header = false
				break
			}
			// Every header key but SV takes at least one value.
			if k+1 >= len(fields) {
				return nil, fmt.Errorf("%w: %s has no value", errSVM, key)
			}
			val := fields[k+1]
			k++
			var err error
			switch key {
			case "svm_type":
				if val != "nu_svr" && val != "epsilon_svr" {
					return nil, fmt.Errorf("%w: svm_type %q not supported (want nu_svr or epsilon_svr)", errSVM, val)
				}
				sawType = true
			case "kernel_type":
				kt, ok := svmKernelNames[val]
				if !ok {
					return nil, fmt.Errorf("%w: unknown kernel_type %q", errSVM, val)
				}
				m.kernel, sawKernel = kt, true
			case "degree":
				m.degree, err = strconv.Atoi(val)
			case "gamma":
				m.gamma, err = parseSVMFloat(val)
			case "coef0":
				m.coef0, err = parseSVMFloat(val)
			case "nr_class":
				nrClass, err = strconv.Atoi(val)
				if err == nil && nrClass != 2 {
					return nil, fmt.Errorf("%w: nr_class %d, a regression model has 2", errSVM, nrClass)
				}
			case "total_sv":
				total, err = strconv.Atoi(val)
				if err == nil && total < 1 {
					return nil, fmt.Errorf("%w: total_sv %d", errSVM, total)
				}
			case "rho":
				m.rho, err = parseSVMFloat(val)
				sawRho = true
			case "probA", "probB": // probability estimates: unused by prediction
				_, err = parseSVMFloat(val)
			default:
				return nil, fmt.Errorf("%w: unknown header key %q", errSVM, key)
			}
			if err != nil {
				return nil, fmt.Errorf("%w: %s %q: not a number", errSVM, key, val)
			}
		}
	}
	switch {
	case header:
		return nil, fmt.Errorf("%w: no SV section", errSVM)
	case !sawType:
		return nil, fmt.Errorf("%w: missing svm_type", errSVM)
	case !sawKernel:
		return nil, fmt.Errorf("%w: missing kernel_type", errSVM)
	case nrClass < 0:
		return nil, fmt.Errorf("%w: missing nr_class", errSVM)
	case total < 0:
		return nil, fmt.Errorf("%w: missing total_sv", errSVM)
	case !sawRho:
		return nil, fmt.Errorf("%w: missing rho", errSVM)
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		if len(m.sv) == total {
			return nil, fmt.Errorf("%w: more than total_sv %d support vectors", errSVM, total)
		}
		if err := m.addSV(line, len(m.sv)+1); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", errSVM, err)
	}
	if len(m.sv) != total {
		return nil, fmt.Errorf("%w: total_sv %d but %d support vectors", errSVM, total, len(m.sv))
	}
	return m, nil
}

// addSV parses support vector line n (1-based): its coefficient and its
// index:value pairs.
func (m *svmModel) addSV(line string, n int) error {
	fields := strings.Fields(line)
	coef, err := parseSVMFloat(fields[0])
	if err != nil {
		return fmt.Errorf("%w: support vector %d: coefficient %q: not a number", errSVM, n, fields[0])
	}
	sv := make([]svmNode, 0, len(fields)-1)
	for _, f := range fields[1:] {
		is, vs, ok := strings.Cut(f, ":")
		idx, err1 := strconv.Atoi(is)
		v, err2 := parseSVMFloat(vs)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("%w: support vector %d: %q is not index:value", errSVM, n, f)
		}
		if idx < 1 || (len(sv) > 0 && idx <= sv[len(sv)-1].index) {
			return fmt.Errorf("%w: support vector %d: index %d out of order", errSVM, n, idx)
		}
		sv = append(sv, svmNode{idx, v})
		m.maxFeatureIdx = max(m.maxFeatureIdx, idx)
	}
	m.coef = append(m.coef, coef)
	m.sv = append(m.sv, sv)
	return nil
}

// parseSVMFloat parses a finite number as libsvm's istream >> double does.
func parseSVMFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not finite", s)
	}
	return v, nil
}

// predict returns Σ coef_i·K(x, sv_i) − rho for the dense input x (x[k] is
// feature index k+1), adding terms in libsvm's order (svm_predict_values and
// Kernel::k_function in svm.cpp). Products are rounded before each sum, as
// the C code compiled without FMA contraction does.
func (m *svmModel) predict(x []float64) float64 {
	var sum float64
	for i, sv := range m.sv {
		sum += float64(m.coef[i] * m.kernelValue(x, sv))
	}
	return sum - m.rho
}

// kernelValue is Kernel::k_function for a dense x and a sparse sv.
func (m *svmModel) kernelValue(x []float64, sv []svmNode) float64 {
	switch m.kernel {
	case svmRBF:
		// libsvm merges the two sparse vectors by index; x holds every
		// index 1..len(x), so an index missing from sv contributes x²
		// and one beyond len(x) contributes sv².
		var sum float64
		j := 0
		for k, xv := range x {
			if j < len(sv) && sv[j].index == k+1 {
				d := xv - sv[j].value
				sum += float64(d * d)
				j++
			} else {
				sum += float64(xv * xv)
			}
		}
		for ; j < len(sv); j++ {
			sum += float64(sv[j].value * sv[j].value)
		}
		return math.Exp(float64(-m.gamma * sum))
	case svmPolynomial:
		return svmPowi(float64(m.gamma*svmDot(x, sv))+m.coef0, m.degree)
	case svmSigmoid:
		return math.Tanh(float64(m.gamma*svmDot(x, sv)) + m.coef0)
	default:
		return svmDot(x, sv)
	}
}

// svmDot is libsvm's Kernel::dot of a dense x and a sparse sv.
func svmDot(x []float64, sv []svmNode) float64 {
	var sum float64
	for _, n := range sv {
		if n.index <= len(x) {
			sum += float64(x[n.index-1] * n.value)
		}
	}
	return sum
}

// svmPowi is libsvm's powi: base^times by repeated squaring.
func svmPowi(base float64, times int) float64 {
	tmp, ret := base, 1.0
	for t := times; t > 0; t /= 2 {
		if t%2 == 1 {
			ret *= tmp
		}
		tmp *= tmp
	}
	return ret
}
