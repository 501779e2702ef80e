// Package fakegke is a small, honest fake of the GKE ClusterManager API
// (google.container.v1) for podlab's tests and demos. Google Cloud cannot be
// reached from the machines podlab is tested on, so the real
// cloud.google.com/go/container client talks to this server over loopback
// gRPC instead, and every cluster it "creates" is really a local Kubernetes
// cluster given to the server as its [Backing].
//
// It models what GKE does, not what is convenient: operations go PENDING →
// RUNNING → DONE over time, clusters PROVISIONING → RUNNING, STOPPING on
// delete and NOT_FOUND once the delete operation is done; one operation at a
// time per cluster (FAILED_PRECONDITION otherwise); ALREADY_EXISTS,
// NOT_FOUND and INVALID_ARGUMENT with GKE's messages where they are known.
// Effects of an operation (a node pool's new size, new labels) become visible
// when the operation is DONE, so a client that does not wait for its
// operations fails here as it would on GKE.
//
// It also models GKE's own behaviour that clients must survive: quota per
// project and region, refused with PERMISSION_DENIED ([Server.SetQuota]);
// Autopilot (regional only, node pools GKE manages); operations GKE starts
// itself, UPGRADE_MASTER and REPAIR_CLUSTER ([Server.StartSystemOperation],
// [Options.UpgradeMasterAfterCreate]), during which changes are refused and,
// for an upgrade, the cluster's endpoints do not answer; surge nodes that
// move current_node_count ([Server.Surge]); failures reported only in
// status_message ([Server.FailOperationQuietly]). A cluster's endpoint is a
// loopback proxy in front of the backing API server, so that the fake can
// cut it without touching the real cluster.
//
// The server also serves an OAuth2 token endpoint over HTTP, so that podlab's
// real Application Default Credentials path (golang.org/x/oauth2/google)
// obtains the backing cluster's bearer token: see [Server.WriteCredentials].
//
// # Pointing podlab at the fake (tests only)
//
// podlab honours two environment variables, in the style of Google's
// emulators; they are for tests and demos, never for real classes:
//
//	PODLAB_GKE_EMULATOR_HOST=127.0.0.1:PORT   # the fake's gRPC address, see [EmulatorHostEnv]
//	GOOGLE_APPLICATION_CREDENTIALS=FILE       # from Server.WriteCredentials
//
// When PODLAB_GKE_EMULATOR_HOST is set, the container client is built with
// [EmulatorClientOptions] (plain-text gRPC, no credentials): the fake does not
// check RPC credentials, just as Google's own emulators do not.
//
// # Where the fake knowingly differs from GKE
//
//   - Cluster.endpoint is host:port (the proxy listens on a port other than
//     443); GKE reports a bare IP. "https://" + endpoint works for both. The
//     private endpoint is another loopback proxy. The DNS endpoint is a name
//     that does not resolve: clients reach it through the fake's HTTPS proxy
//     ([Server.DNSProxyURL]), and trust its certificate by a CA of the fake's
//     ([Server.WriteDNSRoots]) instead of the public roots.
//   - GKE's own operations happen only when a test starts them; a
//     control-plane upgrade cuts the endpoints for its whole RUNNING phase.
//   - Quota counts CPUS, SSD_TOTAL_GB and clusters only.
//   - Links (self_link, target_link) use the project ID; GKE uses the project
//     number.
//   - Locations are checked for form only (region "us-central1", zone
//     "us-central1-a"); GKE knows which ones exist. A regional cluster without
//     node locations gets zones -a, -b and -c.
//   - The endpoint and CA are filled in when the create operation is DONE;
//     GKE may fill them in a little earlier, while still PROVISIONING.
//   - Clusters in ERROR are not deleted automatically.
//   - Messages marked "approximated" in validate.go are GKE-like, not copied
//     from GKE; the others were seen from GKE.
package fakegke
