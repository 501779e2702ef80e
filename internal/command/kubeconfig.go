package command

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

func runKubeconfig(m *Meta, args []string) int {
	a, fs, err := arguments.ParseKubeconfig(args)
	if err != nil {
		return parseError(m, "kubeconfig", "kubeconfig [-seat NAME | -all -dir DIR] [-out FILE] [-var NAME=VALUE] [-json]", fs, err)
	}
	v := m.view(a.View)
	l, mgr, ok := m.open(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace}, a.State.Unlocked(), "kubeconfig")
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	st := mgr.State()
	prov, err := operation.NewProvider(l, mgr, st.ExpiresAt, m.getenv)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	if a.Seat == "" && !a.All {
		src, ok := prov.(providers.KubeconfigSource)
		if !ok {
			v.Errorf("the %s provider cannot write a kubeconfig", l.Env.Cluster.Kind)
			return ExitError
		}
		cfg, err := src.Kubeconfig(m.Ctx, st.Cluster)
		if err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		return writeKubeconfig(v, cfg, a.Out, "")
	}
	if len(l.Env.Lab.Seats) == 0 {
		v.Errorf("the lab has no seats: set lab { seats = [...] } for per-student kubeconfigs, or run podlab kubeconfig without -seat")
		return ExitError
	}
	var seats []*config.Seat
	for _, s := range l.Env.Lab.Seats {
		if a.All || s.Name == a.Seat {
			seats = append(seats, s)
		}
	}
	if len(seats) == 0 {
		v.Errorf("the lab has no seat %q", a.Seat)
		return ExitError
	}
	conn, err := prov.Connect(m.Ctx, st.Cluster)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	kc, err := kubeapi.New(conn.REST, kubeapi.Options{Counter: m.Counter})
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	lifetime := tokenLifetime(st, l.Env)
	if a.All {
		if err := os.MkdirAll(a.Dir, 0o700); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
	}
	for _, seat := range seats {
		cfg, err := seatKubeconfig(m.Ctx, kc, l.Env, st, seat, lifetime)
		if err != nil {
			v.Errorf("seat %q: %s", seat.Name, err)
			return ExitError
		}
		out := a.Out
		if a.All {
			out = filepath.Join(a.Dir, seat.Slug+".kubeconfig")
		}
		if code := writeKubeconfig(v, cfg, out, seat.Name); code != ExitOK {
			return code
		}
	}
	if a.All {
		v.TokenLifetime(lifetime)
	}
	return ExitOK
}

// tokenLifetime matches the class: until the environment's expiry when it
// has one, else its ttl, else eight hours (the API server's minimum is ten
// minutes).
func tokenLifetime(st *state.State, env *config.Env) time.Duration {
	d := 8 * time.Hour
	switch {
	case st.ExpiresAt != nil:
		d = time.Until(*st.ExpiresAt)
	case env.Lab.TTL > 0:
		d = env.Lab.TTL
	}
	return max(d, 10*time.Minute)
}

// seatKubeconfig gives a seat's student a kubeconfig with a token of
// their service account and one context per exercise, set to its
// namespace. The token comes from the TokenRequest API and is never
// stored in state.
func seatKubeconfig(ctx context.Context, kc *kubeapi.Client, env *config.Env, st *state.State, seat *config.Seat, lifetime time.Duration) (*clientcmdapi.Config, error) {
	home := env.SeatNamespace(seat)
	if st.Object(config.SeatAddress(seat)+".ServiceAccount."+engine.StudentAccount) == nil {
		return nil, fmt.Errorf("its service account is not applied yet: run podlab apply first")
	}
	secs := int64(lifetime.Seconds())
	tr, err := kc.Clientset.CoreV1().ServiceAccounts(home).CreateToken(ctx, engine.StudentAccount,
		&authv1.TokenRequest{Spec: authv1.TokenRequestSpec{ExpirationSeconds: &secs}}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("request a token for %s/%s: %w", home, engine.StudentAccount, kubeapi.Explain(err))
	}
	ca := kc.REST.TLSClientConfig.CAData
	if len(ca) == 0 && kc.REST.TLSClientConfig.CAFile != "" {
		if ca, err = os.ReadFile(kc.REST.TLSClientConfig.CAFile); err != nil {
			return nil, err
		}
	}
	clusterName := config.JoinLabel(config.Slug(env.Lab.Name), config.Slug(env.Name))
	user := "student-" + seat.Slug
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[clusterName] = &clientcmdapi.Cluster{Server: kc.REST.Host, CertificateAuthorityData: ca}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	for _, in := range env.Instances {
		if in.Seat != seat {
			continue
		}
		name := in.Exercise.Name
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: clusterName, AuthInfo: user, Namespace: in.Namespace}
		if cfg.CurrentContext == "" {
			cfg.CurrentContext = name
		}
	}
	return cfg, nil
}

// writeKubeconfig writes a kubeconfig to out (mode 0600: it holds a
// credential), or to standard output.
func writeKubeconfig(v *views.View, cfg *clientcmdapi.Config, out, seat string) int {
	b, err := clientcmd.Write(*cfg)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	if out == "" {
		if err := v.Kubeconfig(b); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		return ExitOK
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	if err := os.Rename(tmp, out); err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	v.KubeconfigWritten(seat, out, contextNames(cfg))
	return ExitOK
}

func contextNames(cfg *clientcmdapi.Config) []string {
	names := make([]string, 0, len(cfg.Contexts))
	for name := range cfg.Contexts {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
