// etcd, built from the go.etcd.io/etcd/server/v3 that k8s.io/kubernetes requires (its
// hack/lib/etcd.sh runs the same version in Kubernetes' own integration tests). Debian bookworm's
// etcd-server is 3.4, which Kubernetes 1.36 no longer supports.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
