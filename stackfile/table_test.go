package stackfile

import (
	"bytes"
	"testing"
)

func TestWriteServicesTable(t *testing.T) {
	st := &Stack{
		Name: "shop",
		Services: []Service{
			{Name: "agent", Mode: ModeGlobal, Image: "portainer/agent:2.19.4",
				Ports: []Port{{Target: 9001, Published: 9001, Protocol: "tcp", Mode: "host"}}},
			{Name: "beat", Mode: ModeReplicated, Image: "shop/web:42", Replicas: ptr(uint64(1)),
				UpdateConfig: &UpdateConfig{Order: "stop-first"}},
			{Name: "cleanup", Mode: ModeGlobalJob, Image: "shop/cleanup:42"},
			{Name: "migrate", Mode: ModeReplicatedJob, Image: "shop/web:42"},
			{Name: "seed", Mode: ModeReplicatedJob, Image: "shop/web:42", Replicas: ptr(uint64(3))},
			{Name: "web", Mode: ModeReplicated, Image: "shop/web:42", Replicas: ptr(uint64(4)),
				UpdateConfig: &UpdateConfig{Order: "start-first"},
				Ports: []Port{
					{Target: 9100, Protocol: "tcp", Mode: "ingress"},
					{Target: 8000, Published: 80, Protocol: "tcp", Mode: "ingress"},
					{Target: 8443, Published: 443, Protocol: "udp", Mode: "ingress"},
				}},
			{Name: "worker", Mode: ModeReplicated, Image: "shop/web:42", UpdateConfig: &UpdateConfig{Parallelism: ptr(uint64(2))}},
		},
		Networks: []Network{{Name: "backend"}, {Name: "proxy", External: true}},
		Secrets:  []Secret{{Name: "db_password"}},
		Volumes:  []Volume{{Name: "media"}, {Name: "uploads", External: true}},
		Warnings: []string{
			"warning: services.web.build is ignored by Swarm (stack deploy uses images only)",
			"warning: services.web.restart is ignored by Swarm (except as the restart policy when deploy.restart_policy is absent)",
		},
	}
	var b bytes.Buffer
	if err := WriteServicesTable(&b, st); err != nil {
		t.Fatal(err)
	}
	want := `NAME     MODE            REPLICAS     IMAGE                   PORTS                              UPDATE ORDER
agent    global          -            portainer/agent:2.19.4  9001:9001/tcp (host)               stop-first (default)
beat     replicated      1            shop/web:42             -                                  stop-first
cleanup  global-job      -            shop/cleanup:42         -                                  -
migrate  replicated-job  1 (default)  shop/web:42             -                                  -
seed     replicated-job  3            shop/web:42             -                                  -
web      replicated      4            shop/web:42             9100/tcp,80:8000/tcp,443:8443/udp  start-first
worker   replicated      1 (default)  shop/web:42             -                                  stop-first (default)

networks: backend, proxy (external)
secrets: db_password
volumes: media, uploads (external)
warning: services.web.build is ignored by Swarm (stack deploy uses images only)
warning: services.web.restart is ignored by Swarm (except as the restart policy when deploy.restart_policy is absent)
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
