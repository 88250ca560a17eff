# Parser of web-portal: validation_post reads other services' results and
# completes this service's entry of the model with them.


class WebPortal:

    def __init__(self, cluster_conf, service_conf, default_service_conf):
        self.cluster_conf = cluster_conf
        self.service_conf = service_conf
        self.default_service_conf = default_service_conf
        self.checked = False

    def validation_pre(self):
        port = self.service_conf.get("server-port", self.default_service_conf["server-port"])
        if not 1024 <= int(port) <= 65535:
            return False, "server-port %s is not between 1024 and 65535" % port
        self.checked = True
        return True, None

    def run(self):
        conf = dict(self.default_service_conf)
        conf.update(self.service_conf)
        conf["checked-before-run"] = self.checked
        masters = [h["hostip"] for h in self.cluster_conf["machine-list"] if h.get("pai-master") == "true"]
        conf["uri"] = "http://%s:%s" % (masters[0], conf["server-port"])
        return conf

    def validation_post(self, cluster_object_model):
        me = cluster_object_model["web-portal"]
        me["zookeeper-quorum"] = cluster_object_model["zoo-keeper"]["quorum"]
        me["registry"] = cluster_object_model["cluster"]["docker-registry"]["prefix"]
        me["log-target"] = cluster_object_model["log-shipper"]["target"]["host"]
        return True, None
