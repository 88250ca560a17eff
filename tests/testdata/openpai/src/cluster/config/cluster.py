# Parser of the cluster service: all three phases.
import copy
import os
import re


class Cluster:

    def __init__(self, cluster_conf, service_conf, default_service_conf):
        self.cluster_conf = cluster_conf
        self.service_conf = service_conf
        self.default_service_conf = default_service_conf

    def validation_pre(self):
        cid = self.service_conf.get("common", {}).get("cluster-id", "")
        if not re.match(r"^[a-z][a-z0-9-]*$", cid):
            return False, "cluster-id %r must be lower-case letters, digits and '-'" % cid
        return True, None

    def run(self):
        runs = os.environ.get("OPENPAI_TEST_PARSER_RUNS")  # tests count how often parsers run
        if runs:
            with open(runs, "a") as f:
                f.write("run\n")
        conf = copy.deepcopy(self.default_service_conf)
        for section, values in self.service_conf.items():
            conf.setdefault(section, {}).update(values)
        reg = conf["docker-registry"]
        conf["docker-registry"]["prefix"] = "%s/%s/" % (reg["domain"], reg["namespace"])
        conf["common"]["machine-count"] = len(self.cluster_conf["machine-list"])
        return conf

    def validation_post(self, cluster_object_model):
        if "machine-list" not in cluster_object_model["layout"]:
            return False, "the layout has no machine-list"
        return True, None
