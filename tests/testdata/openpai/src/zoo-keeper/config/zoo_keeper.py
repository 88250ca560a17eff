# Parser of zoo-keeper, written as v0.14 parsers were: for Python 2.


class ZooKeeper:

    def __init__(self, cluster_conf, service_conf, default_service_conf):
        self.cluster_conf = cluster_conf
        self.service_conf = service_conf
        self.default_service_conf = default_service_conf

    def validation_pre(self):
        for key, value in self.service_conf.iteritems():
            if not self.default_service_conf.has_key(key):
                return False, "zoo-keeper has no setting %s" % key
        return True, None

    def run(self):
        conf = dict(self.default_service_conf)
        for key, value in self.service_conf.iteritems():
            conf[key] = value
        servers = []
        for host in self.cluster_conf["machine-list"]:
            if host.has_key("zkid") and isinstance(host["zkid"], basestring):
                servers.append({"id": long(host["zkid"]), "host": host["hostip"]})
        servers.sort(key=lambda s: s["id"])
        conf["servers"] = servers
        conf["quorum"] = ",".join("%s:%d" % (s["host"], conf["client-port"]) for s in servers)
        print "zoo-keeper quorum:", conf["quorum"]
        return conf

    def validation_post(self, cluster_object_model):
        if len(cluster_object_model["zoo-keeper"]["servers"]) == 0:
            return False, "no machine has a zkid"
        return True, None
